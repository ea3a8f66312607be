/**
 * A count of every texture or buffer upload and off-screen render made through a WebGL context:
 * what may change a picture drawn earlier from the textures and buffers (renderCache.ts keeps the
 * 3D view's picture while this count stands still).
 *
 * Not counted: what runs inside ``quietly`` (the cache's own drawing), renders into the
 * framebuffers ``ours`` names, and uploads to the textures ``unseen`` lists (bound on the unit in
 * use when they are made; the unit and each unit's textures are tracked here for that).
 */

/** Uploads the 3D view does not show: to these textures, and all those NiiVue's ``methods`` make. */
export interface UnseenUploads {
  textures: () => readonly (WebGLTexture | null)[]
  methods: readonly string[]
}

/** WebGL calls that change a texture or buffer NiiVue may read in the 3D view. */
const UPLOADS = ['texImage2D', 'texImage3D', 'texSubImage2D', 'texSubImage3D', 'copyTexImage2D', 'copyTexSubImage2D',
  'copyTexSubImage3D', 'compressedTexImage2D', 'compressedTexImage3D', 'compressedTexSubImage2D',
  'compressedTexSubImage3D', 'texStorage2D', 'texStorage3D', 'bufferData', 'bufferSubData', 'copyBufferSubData',
  'generateMipmap', 'deleteTexture', 'deleteBuffer'] as const

export class UploadCounter {
  /** uploads and off-screen renders counted so far */
  count = 0
  /** the texture unit in use (``gl.TEXTURE0 + n``) */
  unit = 0
  private ignoring = 0
  /** the texture bound to each unit and target (``unit:target``) */
  private readonly bound = new Map<string, WebGLTexture | null>()

  constructor(private readonly gl: WebGL2RenderingContext, private readonly unseen: UnseenUploads,
    private readonly ours: (framebuffer: WebGLFramebuffer) => boolean) {}

  /** Wrap the context's upload calls, and the ``unseen.methods`` of ``owner`` (run quietly). */
  install(owner: object): void {
    const gl = this.gl
    const calls = gl as unknown as Record<string, (...args: unknown[]) => unknown>
    this.unit = gl.getParameter(gl.ACTIVE_TEXTURE) as number
    const activeTexture = gl.activeTexture.bind(gl)
    gl.activeTexture = (unit: number) => {
      this.unit = unit
      activeTexture(unit)
    }
    const bindTexture = gl.bindTexture.bind(gl)
    gl.bindTexture = (target: number, texture: WebGLTexture | null) => {
      this.bound.set(`${this.unit}:${target}`, texture)
      bindTexture(target, texture)
    }
    for (const name of UPLOADS) {
      const own = calls[name]
      if (typeof own !== 'function') continue
      const toTexture = name.startsWith('tex') || name.startsWith('compressedTex') || name.startsWith('copyTex')
      calls[name] = (...args: unknown[]) => {
        if (this.ignoring === 0 && !(toTexture && this.unseenTexture(args[0] as number))) this.count++
        return own.apply(gl, args)
      }
    }
    const bind = gl.bindFramebuffer.bind(gl)
    gl.bindFramebuffer = (target: number, framebuffer: WebGLFramebuffer | null) => {
      if (framebuffer && !this.ours(framebuffer) && this.ignoring === 0) this.count++
      bind(target, framebuffer)
    }
    const methods = owner as Record<string, (...args: unknown[]) => unknown>
    for (const name of this.unseen.methods) {
      const own = methods[name]
      if (typeof own === 'function') methods[name] = (...args: unknown[]) => this.quietly(() => own.apply(owner, args))
    }
  }

  /** ``run`` without counting what it uploads. */
  quietly<T>(run: () => T): T {
    this.ignoring++
    try {
      return run()
    } finally {
      this.ignoring--
    }
  }

  /** Whether the texture bound to ``target`` on the unit in use is one the 3D view does not read. */
  private unseenTexture(target: number): boolean {
    const texture = this.bound.get(`${this.unit}:${target}`)
    return !!texture && this.unseen.textures().includes(texture)
  }
}
