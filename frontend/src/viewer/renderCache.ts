/**
 * The 3D view drawn once and shown again while only the 2D views change.
 *
 * In the multiplanar layout every redraw — a slice scrolled, a click, a change of window, the
 * pointer's readout — also redrew the 3D view: a ray cast through the volume and every mask's
 * surface twice (NiiVue's x-ray pass), 450–650 ms a frame on software WebGL (a VDI workstation, a
 * browser without GPU access), so every 2D interaction in that layout took that long. Here the 3D
 * view is drawn into an off-screen colour + depth target and copied to the canvas; later frames copy
 * it again unless something the picture depends on has changed. The 3D crosshair, which moves with
 * every click, is left out of the stored picture and drawn after the copy, depth-tested against the
 * copied depth (hidden where the volume or a surface is in front of it, as NiiVue draws it): it is
 * current in every frame.
 *
 * What the picture depends on is checked two ways: the state NiiVue's ``draw3D`` reads (tile,
 * camera, options, volumes, surfaces, shaders: ``sceneKey``), and a count of every texture or buffer
 * upload and off-screen render NiiVue makes (bakes, new surfaces; a new crosshair mesh, and the
 * uploads the app says the 3D view does not show, excepted) — a change no key field names still
 * redraws it.
 *
 * Used only where the canvas has no antialiasing (the off-screen target is single-sampled): with a
 * GPU NiiVue asks for it on more than six CPU threads, and draws as before (the viewer asks for none
 * where WebGL draws in software: renderer.ts). ``canvas.dataset``'s
 * ``drawn3d`` / ``reused3d`` count the two kinds of frame (read by the benchmark and the tests);
 * ``data-reuse3d="off"`` on the canvas (set from the browser's console) turns the reuse off, so the
 * picture can be compared with NiiVue's own drawing.
 */

import type { Niivue } from '@niivue/niivue'

/** Texture units NiiVue never uses (it goes up to 15; liveWindow.ts has 20). */
const COLOR_UNIT = 21
const DEPTH_UNIT = 22

type Box = [number, number, number, number]
type Draw3D = (ltwh?: number[], mvp?: unknown, model?: unknown, normal?: unknown, azimuth?: number | null,
  elevation?: number) => string | undefined
type CrosshairDraw = (isDepthTest?: boolean, alpha?: number, mvp?: unknown, ...rest: unknown[]) => void

interface Tile {
  leftTopWidthHeight: number[]
}

/** Uploads the 3D view does not show: to these textures, and all those NiiVue's ``methods`` make. */
export interface UnseenUploads {
  textures: () => readonly (WebGLTexture | null)[]
  methods: readonly string[]
}

/** What draw3D leaves enabled. */
interface GlState {
  blend: boolean
  depthTest: boolean
  cullFace: boolean
}

interface Internals {
  draw3D: Draw3D
  drawCrosshairs3D: CrosshairDraw
  calculateMvpMatrix: (object: unknown, ltwh: number[], azimuth: number, elevation: number) => unknown[]
  getBoundsRegion: () => number[]
  setPivot3D: () => void
  screenSlices: Tile[]
  uiData: { mouseDepthPicker: boolean }
  pivot3D: number[]
  furthestFromPivot: number
  renderShader: object | null
  gradientTextureAmount: number
  renderDrawAmbientOcclusion: number
  drawOpacity: number
  position?: unknown
}

/** WebGL calls that change a texture or buffer NiiVue may read in the 3D view. */
const UPLOADS = ['texImage2D', 'texImage3D', 'texSubImage2D', 'texSubImage3D', 'copyTexImage2D', 'copyTexSubImage2D',
  'copyTexSubImage3D', 'compressedTexImage2D', 'compressedTexImage3D', 'compressedTexSubImage2D',
  'compressedTexSubImage3D', 'texStorage2D', 'texStorage3D', 'bufferData', 'bufferSubData', 'copyBufferSubData',
  'generateMipmap', 'deleteTexture', 'deleteBuffer'] as const

const COPY_VERTEX = `#version 300 es
void main() {
	vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
	gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}`
// The target is as large as the canvas: the pixel under each fragment is the one to copy.
const COPY_FRAGMENT = `#version 300 es
precision highp float;
uniform highp sampler2D pictureColor;
uniform highp sampler2D pictureDepth;
out vec4 color;
void main() {
	ivec2 pixel = ivec2(gl_FragCoord.xy);
	color = texelFetch(pictureColor, pixel, 0);
	gl_FragDepth = texelFetch(pictureDepth, pixel, 0).r;
}`

/** Everything besides uploaded data that NiiVue's draw3D reads for the tile ``box`` (the 3D crosshair aside). */
export function sceneKey(nv: Niivue, box: readonly number[]): string {
  const inner = nv as unknown as Internals
  const scene = nv.scene
  return JSON.stringify([
    box, nv.gl.canvas.width, nv.gl.canvas.height,
    scene.renderAzimuth, scene.renderElevation, scene.volScaleMultiplier, scene.clipPlaneDepthAziElevs,
    // only NiiVue's clip-plane render shader reads the crosshair (gradientTextureAmount < 0)
    inner.gradientTextureAmount < 0 ? Array.from(scene.crosshairPos) : null,
    inner.pivot3D, inner.furthestFromPivot, inner.position ?? null,
    nv.opts,
    // the window is not here: the 3D view shows NiiVue's baked colours (a bake is an upload)
    nv.volumes.map((v) => [v.id, v.opacity, v.colormap]),
    nv.meshes.map((m) => [m.id, m.visible, m.opacity, m.meshShaderIndex, m.rgba255 && Array.from(m.rgba255)]),
    objectId(inner.renderShader), inner.gradientTextureAmount, inner.renderDrawAmbientOcclusion, inner.drawOpacity,
    nv.document?.labels ?? null,
  ], (_key, value: unknown) => (ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value))
}

const ids = new WeakMap<object, number>()
let lastId = 0
/** A number naming ``object`` (the same while it lives). */
function objectId(object: object | null): number {
  if (!object) return 0
  if (!ids.has(object)) ids.set(object, ++lastId)
  return ids.get(object)!
}

export class RenderCache {
  private readonly gl: WebGL2RenderingContext
  private readonly inner: Internals
  private readonly draw: Draw3D
  private readonly drawCrosshairs: CrosshairDraw
  private program: WebGLProgram | null = null
  private vao: WebGLVertexArrayObject | null = null
  private framebuffer: WebGLFramebuffer | null = null
  private color: WebGLTexture | null = null
  private depth: WebGLTexture | null = null
  private size: [number, number] = [0, 0]
  /** uploads and off-screen renders NiiVue has made (our own excepted) */
  private uploads = 0
  private ignoring = 0
  private stored: { key: string; uploads: number; tile: Tile; text: string | undefined; after: GlState } | null = null
  private drawn = 0
  private reused = 0

  /** the texture unit in use, and the texture bound to each unit and target (``unit:target``) */
  private unit = 0
  private readonly bound = new Map<string, WebGLTexture | null>()

  /** ``unseen``: what the app knows the 3D view does not read (uploads to it keep the picture). */
  constructor(private readonly nv: Niivue, private readonly unseen: UnseenUploads = { textures: () => [], methods: [] }) {
    this.gl = nv.gl
    this.inner = nv as unknown as Internals
    this.draw = this.inner.draw3D.bind(nv)
    this.drawCrosshairs = this.inner.drawCrosshairs3D.bind(nv)
  }

  /** Start drawing the 3D view through the cache; false (NiiVue draws as before) where it cannot. */
  install(): boolean {
    const gl = this.gl
    if (gl.getContextAttributes()?.antialias || gl.getParameter(gl.MAX_COMBINED_TEXTURE_IMAGE_UNITS) <= DEPTH_UNIT) {
      return false
    }
    this.program = this.compile()
    this.vao = gl.createVertexArray()
    this.framebuffer = gl.createFramebuffer()
    if (!this.program || !this.vao || !this.framebuffer) return false
    this.countUploads()
    const nv = this.nv
    const methods = nv as unknown as Record<string, (...args: unknown[]) => unknown>
    for (const name of this.unseen.methods) {
      const own = methods[name]
      if (typeof own === 'function') methods[name] = (...args: unknown[]) => this.quietly(() => own.apply(nv, args))
    }
    this.inner.draw3D = (...args) => this.draw3D(...args)
    // The crosshair mesh is rebuilt whenever the crosshair moves; it is drawn after the copy, never stored.
    this.inner.drawCrosshairs3D = (...args) => this.quietly(() => this.drawCrosshairs(...args))
    return true
  }

  private draw3D(...args: Parameters<Draw3D>): string | undefined {
    const [ltwh, mvp, , , azimuth] = args
    const nv = this.nv
    const canvas = this.gl.canvas as HTMLCanvasElement
    // A mosaic's 3D tiles, the depth picker's second pass, and everything while the canvas says
    // data-reuse3d="off" (a switch for support and the tests: NiiVue's own drawing, to compare): as NiiVue draws.
    if (mvp != null || (azimuth !== undefined && azimuth !== null) || this.inner.uiData.mouseDepthPicker ||
      canvas.dataset?.reuse3d === 'off') {
      return this.draw(...args)
    }
    const gl = this.gl
    const box = this.tileOf(ltwh)
    this.inner.setPivot3D()
    const key = sceneKey(nv, box)
    const { width, height } = gl.canvas
    const glBox: Box = [box[0], height - box[3] - box[1], box[2], box[3]]
    let stored = this.stored
    if (!stored || stored.key !== key || stored.uploads !== this.uploads) {
      this.target(width, height)
      this.quietly(() => gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer))
      const back = nv.opts.backColor
      gl.clearColor(back[0], back[1], back[2], back[3])
      gl.clearDepth(1)
      gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT)
      const crosshair = nv.opts.show3Dcrosshair
      nv.opts.show3Dcrosshair = false
      let text: string | undefined
      try {
        text = this.draw(box)
      } finally {
        nv.opts.show3Dcrosshair = crosshair
        gl.bindFramebuffer(gl.FRAMEBUFFER, null)
      }
      const tile = this.inner.screenSlices[this.inner.screenSlices.length - 1]
      // (isEnabled is answered from the client's copy of the state: no wait for the GPU)
      const after = { blend: gl.isEnabled(gl.BLEND), depthTest: gl.isEnabled(gl.DEPTH_TEST), cullFace: gl.isEnabled(gl.CULL_FACE) }
      stored = { key, uploads: this.uploads, tile: { ...tile }, text, after }
      this.stored = stored
      this.drawn++
    } else {
      // The tile NiiVue's draw3D would have listed (where the pointer finds the 3D view).
      this.inner.screenSlices.push({ ...stored.tile, leftTopWidthHeight: box.slice() })
      this.reused++
    }
    this.copy(glBox)
    this.crosshairs(box, glBox)
    this.restoreState(stored.after)
    const region = this.inner.getBoundsRegion()
    gl.viewport(region[0], region[1], region[2], region[3])
    if (canvas.dataset) {
      canvas.dataset.drawn3d = String(this.drawn)
      canvas.dataset.reused3d = String(this.reused)
    }
    return stored.text
  }

  /** The tile draw3D resolves ``ltwh`` to (the canvas, or NiiVue's bounds, when none is given). */
  private tileOf(ltwh: number[] | undefined): Box {
    const box = (ltwh ?? [0, 0, 0, 0]).slice(0, 4) as Box
    if (box[2] !== 0 && box[3] !== 0) return box
    if (this.nv.opts.bounds) return this.inner.getBoundsRegion().slice(0, 4) as Box
    return [0, 0, this.gl.canvas.width, this.gl.canvas.height]
  }

  /** The stored picture onto the canvas, colour and depth, in ``glBox`` (GL pixels, from the bottom).
   * Its textures stay bound on their own units (``target``), which nothing else uses. */
  private copy(glBox: Box): void {
    const gl = this.gl
    const vao = gl.getParameter(gl.VERTEX_ARRAY_BINDING) as WebGLVertexArrayObject | null
    gl.viewport(glBox[0], glBox[1], glBox[2], glBox[3])
    gl.useProgram(this.program)
    gl.disable(gl.BLEND)
    gl.disable(gl.CULL_FACE)
    gl.enable(gl.DEPTH_TEST)
    gl.depthFunc(gl.ALWAYS)
    gl.depthMask(true)
    gl.bindVertexArray(this.vao)
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4)
    gl.bindVertexArray(vao)
  }

  /** NiiVue's two crosshair passes of draw3D: opaque where nothing is in front of it, then faint over all. */
  private crosshairs(box: Box, glBox: Box): void {
    const nv = this.nv
    const gl = this.gl
    if (nv.opts.show3Dcrosshair) {
      const [mvp] = this.inner.calculateMvpMatrix(null, box, nv.scene.renderAzimuth, nv.scene.renderElevation)
      gl.viewport(glBox[0], glBox[1], glBox[2], glBox[3])
      this.inner.drawCrosshairs3D(true, 1, mvp)
      this.inner.drawCrosshairs3D(false, 0.15, mvp)
    }
  }

  /** The state NiiVue's own draw3D leaves, which its text and lines drawn after the 3D view rely on
   * (a scale bar is blended or not by it): as it was after the stored drawing, blending on where
   * the crosshair's last pass ran. */
  private restoreState(after: GlState): void {
    const gl = this.gl
    const set = (cap: number, on: boolean) => (on ? gl.enable(cap) : gl.disable(cap))
    set(gl.BLEND, after.blend || this.nv.opts.show3Dcrosshair)
    gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA)
    gl.depthFunc(gl.ALWAYS)
    set(gl.DEPTH_TEST, after.depthTest)
    set(gl.CULL_FACE, after.cullFace)
  }

  /** The off-screen colour + depth target, as large as the canvas. */
  private target(width: number, height: number): void {
    if (this.size[0] === width && this.size[1] === height && this.color) return
    const gl = this.gl
    this.quietly(() => {
      if (this.color) gl.deleteTexture(this.color)
      if (this.depth) gl.deleteTexture(this.depth)
      const activeTexture = this.unit
      this.color = this.newTexture(COLOR_UNIT, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, width, height)
      this.depth = this.newTexture(DEPTH_UNIT, gl.DEPTH_COMPONENT24, gl.DEPTH_COMPONENT, gl.UNSIGNED_INT, width, height)
      gl.activeTexture(activeTexture)
      gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer)
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, this.color, 0)
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.DEPTH_ATTACHMENT, gl.TEXTURE_2D, this.depth, 0)
      gl.bindFramebuffer(gl.FRAMEBUFFER, null)
    })
    this.size = [width, height]
  }

  /** A new ``width``×``height`` texture, left bound on ``unit``; read texel by texel (no filtering). */
  private newTexture(unit: number, internalFormat: number, format: number, type: number, width: number,
    height: number): WebGLTexture | null {
    const gl = this.gl
    gl.activeTexture(gl.TEXTURE0 + unit)
    const texture = gl.createTexture()
    gl.bindTexture(gl.TEXTURE_2D, texture)
    gl.texImage2D(gl.TEXTURE_2D, 0, internalFormat, width, height, 0, format, type, null)
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
    return texture
  }

  private compile(): WebGLProgram | null {
    const gl = this.gl
    const program = gl.createProgram()
    for (const [type, source] of [[gl.VERTEX_SHADER, COPY_VERTEX], [gl.FRAGMENT_SHADER, COPY_FRAGMENT]] as const) {
      const shader = gl.createShader(type)
      if (!shader || !program) return null
      gl.shaderSource(shader, source)
      gl.compileShader(shader)
      gl.attachShader(program, shader)
    }
    gl.linkProgram(program)
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) return null
    const previous = gl.getParameter(gl.CURRENT_PROGRAM) as WebGLProgram | null
    gl.useProgram(program)
    gl.uniform1i(gl.getUniformLocation(program, 'pictureColor'), COLOR_UNIT)
    gl.uniform1i(gl.getUniformLocation(program, 'pictureDepth'), DEPTH_UNIT)
    gl.useProgram(previous)
    return program
  }

  /** Count NiiVue's uploads and off-screen renders: any of them may change what the 3D view shows
   * (but one to a texture the 3D view does not read). */
  private countUploads(): void {
    const gl = this.gl as unknown as Record<string, (...args: unknown[]) => unknown>
    this.unit = this.gl.getParameter(this.gl.ACTIVE_TEXTURE) as number
    const activeTexture = this.gl.activeTexture.bind(this.gl)
    this.gl.activeTexture = (unit: number) => {
      this.unit = unit
      activeTexture(unit)
    }
    const bindTexture = this.gl.bindTexture.bind(this.gl)
    this.gl.bindTexture = (target: number, texture: WebGLTexture | null) => {
      this.bound.set(`${this.unit}:${target}`, texture)
      bindTexture(target, texture)
    }
    for (const name of UPLOADS) {
      const own = gl[name]
      if (typeof own !== 'function') continue
      const toTexture = name.startsWith('tex') || name.startsWith('compressedTex') || name.startsWith('copyTex')
      gl[name] = (...args: unknown[]) => {
        if (this.ignoring === 0 && !(toTexture && this.unseenTexture(args[0] as number))) this.uploads++
        return own.apply(this.gl, args)
      }
    }
    const bind = this.gl.bindFramebuffer.bind(this.gl)
    this.gl.bindFramebuffer = (target: number, framebuffer: WebGLFramebuffer | null) => {
      if (framebuffer && framebuffer !== this.framebuffer && this.ignoring === 0) this.uploads++
      bind(target, framebuffer)
    }
  }

  /** Whether the texture bound to ``target`` on the unit in use is one the 3D view does not read. */
  private unseenTexture(target: number): boolean {
    const texture = this.bound.get(`${this.unit}:${target}`)
    return !!texture && this.unseen.textures().includes(texture)
  }

  private quietly<T>(run: () => T): T {
    this.ignoring++
    try {
      return run()
    } finally {
      this.ignoring--
    }
  }
}
