/**
 * Window/level applied when a 2D slice is drawn instead of baked into NiiVue's colour texture.
 *
 * NiiVue turns the image into an RGBA texture through the window (``refreshLayers``): every voxel is
 * redrawn and a gradient volume is recomputed on each change of window — 14 s for a 512×512×300 CT
 * on software WebGL, on every step of a right-drag. Here the intensities are kept on the GPU once,
 * in the file's own voxel order (R16F, scaled to the volume's [global_min, global_max]), and NiiVue's
 * slice shader is given a few more lines that read them and apply the window: a change of window
 * is two uniforms and a redraw. NiiVue's colour texture is still what the 3D view renders; it is
 * rebaked once the window has stopped changing, and only while a 3D view is on screen — from these
 * intensities, a few slices per task (liveBake.ts), not by NiiVue's upload of every voxel.
 *
 * The upload is spread over tasks (a few slices each) so opening a case never blocks the page; until
 * it has finished, windowing is NiiVue's own. Where liveBake.ts can colour the image as NiiVue would,
 * NiiVue's first bake of it is run without its voxels (bakeSkeleton.ts: no upload of every voxel, no
 * slice coloured in one go) and the colours are baked from these intensities once they are on the
 * GPU: the 2D views show the image from then on (``firstBakePending`` until), the 3D view once the
 * bake is done. Nothing is drawn meanwhile, and the first frame waits (a fence) until the GPU has
 * done the uploads: where WebGL draws in software, a frame's canvas read-back waits for all the work
 * queued before it, and the page would freeze that long.
 */

import { SLICE_TYPE, type Niivue, type NVImage } from '@niivue/niivue'
import { bakeWithoutVoxels } from './bakeSkeleton'
import { drawOffScreen } from './warmUp'
import { afterGpu } from './gpuFence'
import { gradientsRead } from './gradient'
import { Colours, LiveBake, supports } from './liveBake'
import { liveSliceShaderSource, rasToFileMatrix, scaleInto } from './liveSlice'

/** A texture unit NiiVue never uses (it goes up to 15). */
const UNIT = 20
/** Voxels converted and uploaded per task: about 10 ms of work on one core. */
const CHUNK_VOXELS = 1 << 21
/** Quiet time after the last change of window before the 3D view's texture is rebaked. */
const BAKE_DELAY_MS = 300

interface Internals {
  uiData: { max3D: number }
  sliceMMShader: { program: WebGLProgram } | null
  customSliceShader: { program: WebGLProgram } | null
  refreshLayers: (volume: NVImage, layer: number) => void
  screenSlices: { axCorSag: number }[]
}

interface Baked {
  volume: NVImage
  /** what else a bake depends on (lookOf) */
  look: string
  calMin: number
  calMax: number
}

/** What a bake of ``volume`` as it is now is made from. */
function bakeOf(volume: NVImage): Baked {
  return { volume, look: lookOf(volume), calMin: volume.cal_min ?? 0, calMax: volume.cal_max ?? 0 }
}

/** Everything besides the window that NiiVue's bake of an image depends on. */
function lookOf(volume: NVImage): string {
  return [volume.colormap, volume.opacity, volume.colormapInvert, volume.colormapType, volume.frame4D,
    volume.colormapNegative, volume.modulationImage].join('|')
}

export class LiveWindow {
  private readonly gl: WebGL2RenderingContext
  private readonly inner: Internals
  private shader: { program: WebGLProgram } | null = null
  private texture: WebGLTexture | null = null
  private volume: NVImage | null = null
  private range: [number, number] = [0, 1]
  private ready = false
  private generation = 0
  private baked: Baked | null = null
  private bakeTimer: ReturnType<typeof setTimeout> | null = null
  private firstBake: ((volume: NVImage) => void) | null = null
  /** an image NiiVue baked without its voxels, whose colours are still to be baked here */
  private pendingBake: NVImage | null = null
  /** NiiVue's drawing held: a first bake is pending, the image is not on the GPU yet */
  private holding = false
  private readonly drawScene: () => void
  private readonly bake: (volume: NVImage, layer: number) => void
  private readonly liveBake: LiveBake

  constructor(private readonly nv: Niivue) {
    this.gl = nv.gl
    this.inner = nv as unknown as Internals
    this.bake = this.inner.refreshLayers.bind(nv)
    this.liveBake = new LiveBake(nv)
    // Every window change NiiVue makes itself (right-drag, double-click reset) comes through here.
    this.inner.refreshLayers = (volume: NVImage, layer: number) => this.refreshLayers(volume, layer)
    this.drawScene = nv.drawScene.bind(nv)
    nv.drawScene = () => (this.holding ? undefined : this.drawScene())
  }

  /** Compile the slice shader with the live window (after NiiVue's own are, once). */
  install(): boolean {
    const gl = this.gl
    const own = this.inner.sliceMMShader
    if (!own || gl.getParameter(gl.MAX_COMBINED_TEXTURE_IMAGE_UNITS) <= UNIT) return false
    const fragment = (gl.getAttachedShaders(own.program) ?? [])
      .find((s) => gl.getShaderParameter(s, gl.SHADER_TYPE) === gl.FRAGMENT_SHADER)
    const source = fragment ? liveSliceShaderSource(gl.getShaderSource(fragment) ?? '') : null
    if (!source) return false
    this.nv.setCustomSliceShader(source)
    this.shader = this.inner.customSliceShader
    if (!this.shader) return false
    this.uniforms((u) => gl.uniform1i(u('liveIntensity'), UNIT))
    return true
  }

  /** Upload the intensities of the volume on screen, a few slices per task; whether the window is
   * live once it resolves (false: not this volume, or superseded by another). A first bake left to
   * us is then done here: from the intensities, or by NiiVue where they could not be uploaded. */
  async load(): Promise<boolean> {
    const pending = this.pendingBake
    this.reset()
    const generation = this.generation
    const volume = this.nv.volumes[0]
    const first = pending !== null && pending === volume
    // (``reset`` took the texture for current: a 3D view on screen draws its first picture in the first
    // frame, without the colours, and again once they are baked. Left blank until then instead
    // (``awaitColours``), its first ray cast fell at the end of the bake, in a frame while the masks
    // arrive: a task of 250–410 ms there against 150–250 ms, bench/web/responsiveness.mjs --open-only.)
    // Nothing drawn on screen until the intensities are up (below); their first frame drawn off
    // screen once their texture exists, so that the one shown finds every program ready (warmUp.ts).
    this.holding = first
    const live = await this.upload(generation, first ? () => drawOffScreen(this.gl, this.drawScene) : undefined)
    if (generation !== this.generation) return false
    if (first) {
      this.pendingBake = null
      if (!live) this.bakeByNiivue(volume) // every voxel by NiiVue after all
      // The first frame once the GPU has done what is queued: drawn before, its canvas read-back would
      // wait for all of it (where WebGL draws in software).
      await new Promise<void>((resolve) => afterGpu(this.gl, resolve))
      if (generation !== this.generation) return false
      this.holding = false
      this.drawScene()
      if (live) {
        // The colours the 3D view shows, from the next tasks on: that frame does not wait for them.
        await new Promise<void>((resolve) => afterGpu(this.gl, resolve))
        if (generation !== this.generation) return false
        if (!this.bakeFromIntensities(volume, () => this.rebaked())) this.bakeByNiivue(volume)
      }
    }
    return live
  }

  /** Whether NiiVue's first bake of the image on screen is still to be done (the 2D views show it
   * once ``load`` has resolved). */
  get firstBakePending(): boolean {
    return this.pendingBake !== null && this.pendingBake === this.nv.volumes[0]
  }

  /** Whether ``volume``'s intensities can be put on the GPU here: a scalar image, whole, with a live
   * slice shader to read them (``upload``; ``canBakeLater`` decides on it before NiiVue's first bake). */
  private uploadable(volume: NVImage | undefined): volume is NVImage {
    const hdr = volume?.hdr
    const img = volume?.img as ArrayLike<number> | undefined
    if (!this.shader || !hdr || !img || !volume!.permRAS) return false
    const [nx, ny, nz] = [hdr.dims[1], hdr.dims[2], Math.max(1, hdr.dims[3])]
    return img.length >= nx * ny * nz && hdr.datatypeCode !== 128 && hdr.datatypeCode !== 2304
  }

  private async upload(generation: number, beforeSlabs?: () => void): Promise<boolean> {
    const volume = this.nv.volumes[0]
    if (!this.uploadable(volume) || this.nv.opts.is2DSliceShader) return false
    const hdr = volume.hdr!
    const img = volume.img as ArrayLike<number>
    const [nx, ny, nz] = [hdr.dims[1], hdr.dims[2], Math.max(1, hdr.dims[3])]
    const lo = volume.global_min ?? 0
    const span = (volume.global_max ?? 1) - lo || 1
    const slope = hdr.scl_slope || 1
    const inter = hdr.scl_inter || 0
    const gl = this.gl
    const texture = gl.createTexture()
    if (!texture) return false
    this.texture = texture
    this.bindTexture()
    this.textureParameters()
    gl.texStorage3D(gl.TEXTURE_3D, 1, gl.R16F, nx, ny, nz)
    beforeSlabs?.()
    const slab = Math.max(1, Math.floor(CHUNK_VOXELS / (nx * ny)))
    const buffer = new Float32Array(nx * ny * Math.min(slab, nz))
    // Scaled to 0..1 of the volume's range: half floats keep ~11 bits of it (2 HU over a CT's 4000).
    const scale = slope / span
    const offset = (inter - lo) / span
    for (let z0 = 0; z0 < nz; z0 += slab) {
      const depth = Math.min(slab, nz - z0)
      const start = z0 * nx * ny
      const n = depth * nx * ny
      scaleInto(buffer, img, start, n, scale, offset)
      this.bindTexture()
      gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1)
      gl.texSubImage3D(gl.TEXTURE_3D, 0, 0, 0, z0, nx, ny, depth, gl.RED, gl.FLOAT, buffer.subarray(0, n))
      // The next slab once the GPU has taken this one: the main thread never waits for room to copy into.
      await new Promise<void>((resolve) => afterGpu(gl, resolve))
      if (generation !== this.generation) return false
    }
    this.volume = volume
    this.range = [lo, span]
    this.ready = true
    this.uniforms((u) => {
      gl.uniformMatrix4fv(u('liveRasToFile'), false, rasToFileMatrix(volume.permRAS!))
      gl.uniform1i(u('liveWindowOn'), 1)
    })
    this.applyWindow(volume)
    this.nv.drawScene()
    return true
  }

  /** Nothing live any more (the case is closed or another is opening). */
  reset(): void {
    this.generation++
    this.firstBake = null
    this.pendingBake = null
    this.holding = false
    this.ready = false
    this.volume = null
    if (this.bakeTimer) clearTimeout(this.bakeTimer)
    this.bakeTimer = null
    this.liveBake.cancel()
    if (this.shader) this.uniforms((u) => this.gl.uniform1i(u('liveWindowOn'), 0))
    if (this.texture) this.gl.deleteTexture(this.texture)
    this.texture = null
  }

  /** Have ``prepare`` set up the next volume NiiVue bakes first (its window), just before it does. */
  beforeFirstBake(prepare: ((volume: NVImage) => void) | null): void {
    this.firstBake = prepare
  }

  /** Rebake NiiVue's colour texture if the 3D view is about to show an old window: from the
   * intensities on the GPU, a few slices per task (liveBake.ts), or by NiiVue where that cannot. */
  bakeIfStale(): void {
    const volume = this.nv.volumes[0]
    const baked = this.baked
    if (!volume || baked?.volume !== volume || !this.windowChanged(volume)) return
    if (!this.bakeFromIntensities(volume, () => this.rebaked())) this.bakeByNiivue(volume)
  }

  /** Bake the image's colours for its window from the intensities on the GPU (liveBake.ts), over the
   * next tasks; false where that cannot be done. */
  private bakeFromIntensities(volume: NVImage, onDone: () => void): boolean {
    const canvas = this.gl.canvas as HTMLCanvasElement
    if (!this.ready || volume !== this.volume || !this.texture || !supports(volume) || canvas.dataset?.liveBake === 'off') {
      return false
    }
    const from = { texture: this.texture, unit: UNIT, range: this.range, rasToFile: rasToFileMatrix(volume.permRAS!) }
    if (!this.liveBake.start(volume, from, onDone)) return false
    this.baked = bakeOf(volume)
    return true
  }

  /** NiiVue's own bake of the image, every voxel at once. */
  private bakeByNiivue(volume: NVImage): void {
    this.liveBake.cancel()
    this.bake(volume, 0)
    this.baked = bakeOf(volume)
    this.rebaked()
  }

  /** Whether NiiVue's first bake of ``volume`` can leave its voxels to us: the intensities will be
   * uploaded (``upload``'s conditions) and liveBake.ts colours it as NiiVue would. */
  private canBakeLater(volume: NVImage): boolean {
    const canvas = this.gl.canvas as HTMLCanvasElement
    if (!this.uploadable(volume) || canvas.dataset?.liveBake === 'off' || !supports(volume) || gradientsRead(this.nv)) {
      return false
    }
    // (a volume over the 3D texture limit is shown through a 2D texture, baked by NiiVue on the CPU;
    // ``upload`` then finds NiiVue's 2D slice shader in use)
    const dims = volume.hdr!.dims
    return [dims[1], dims[2], Math.max(1, dims[3])].every((n) => n <= this.inner.uiData.max3D)
  }

  /** A rebake done: the 3D view drawn with it (``data-bakes3d`` counts them, for the tests and the bench). */
  private rebaked(): void {
    const data = (this.gl.canvas as HTMLCanvasElement).dataset
    if (data) data.bakes3d = String(Number(data.bakes3d ?? 0) + 1)
    this.nv.drawScene()
  }

  private refreshLayers(volume: NVImage, layer: number): void {
    const image = layer === 0 && volume === this.nv.volumes[0]
    let withoutVoxels = false
    if (image && this.firstBake && this.baked?.volume !== volume) {
      const prepare = this.firstBake
      this.firstBake = null
      prepare(volume)
      withoutVoxels = this.canBakeLater(volume)
    }
    const baked = this.baked
    if (image && baked?.volume === volume && baked.look === lookOf(volume)) {
      const live = this.ready && volume === this.volume
      if (live) this.applyWindow(volume)
      // Nothing differs from the bake (it would change nothing) or only the window does, which the
      // 2D views now apply themselves: the 3D view's copy is rebaked once the window settles.
      if (!this.windowChanged(volume)) return
      if (live) {
        // A bake of an earlier window still under way is of no use now: stopped, so that it no longer
        // delays the 2D views' frames, and the texture no longer taken for any window's.
        if (this.liveBake.baking) this.stopBake(true)
        this.scheduleBake()
        return
      }
    }
    if (image) this.liveBake.cancel() // NiiVue bakes every slice itself (or, the first time, none: load)
    if (withoutVoxels) bakeWithoutVoxels(this.gl, () => this.bake(volume, layer))
    else this.bake(volume, layer)
    // A volume NiiVue holds as a 2D texture (a single RGBA slice, or more voxels than a 3D texture
    // takes) needs its own 2D slice shader: ours samples a 3D one.
    if (image && this.shader) this.inner.customSliceShader = this.nv.opts.is2DSliceShader ? null : this.shader
    if (image) {
      this.baked = bakeOf(volume)
      this.pendingBake = withoutVoxels ? volume : null
      // (the 3D view waits for the colours: renderCache.ts draws no picture meanwhile)
      if (withoutVoxels) this.liveBake.awaitColours()
      this.holding = withoutVoxels
      if (this.ready) this.applyWindow(volume)
    }
  }

  private windowChanged(volume: NVImage): boolean {
    return volume.cal_min !== this.baked?.calMin || volume.cal_max !== this.baked?.calMax
  }

  private applyWindow(volume: NVImage): void {
    const [lo, span] = this.range
    const min = ((volume.cal_min ?? lo) - lo) / span
    let max = ((volume.cal_max ?? lo + span) - lo) / span
    if (max <= min) max = min + 1e-6
    this.uniforms((u) => this.gl.uniform2f(u('liveWindow'), min, max))
  }

  private scheduleBake(): void {
    if (this.bakeTimer) clearTimeout(this.bakeTimer)
    this.bakeTimer = setTimeout(() => {
      this.bakeTimer = null
      // Only while a 3D view is on screen (NiiVue lists its tiles; a multiplanar layout has one unless
      // NiiVue left it out for want of room).
      if (this.inner.screenSlices.some((tile) => tile.axCorSag === SLICE_TYPE.RENDER)) this.bakeIfStale()
      else if (this.liveBake.colours !== Colours.Current) this.stopBake(false) // rebaked when a 3D view is shown again
    }, BAKE_DELAY_MS)
  }

  /** Stop a bake under way, its half-coloured texture then taken for no window's: the next
   * ``bakeIfStale`` rebakes it, whatever the window. ``awaited``: no 3D picture is drawn from it
   * until then (a rebake follows); else pictures are drawn from it as it is (no 3D view on screen;
   * rebaked when one comes back). */
  private stopBake(awaited: boolean): void {
    if (awaited) this.liveBake.awaitColours()
    else this.liveBake.cancel()
    if (this.baked) this.baked = { ...this.baked, calMin: Number.NaN }
  }

  private bindTexture(): void {
    this.gl.activeTexture(this.gl.TEXTURE0 + UNIT)
    this.gl.bindTexture(this.gl.TEXTURE_3D, this.texture)
  }

  /** Linear between voxels (the image is interpolated, as NiiVue draws it), clamped at the edges. */
  private textureParameters(): void {
    const gl = this.gl
    gl.texParameteri(gl.TEXTURE_3D, gl.TEXTURE_MIN_FILTER, gl.LINEAR)
    gl.texParameteri(gl.TEXTURE_3D, gl.TEXTURE_MAG_FILTER, gl.LINEAR)
    for (const wrap of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T, gl.TEXTURE_WRAP_R]) {
      gl.texParameteri(gl.TEXTURE_3D, wrap, gl.CLAMP_TO_EDGE)
    }
  }

  /** Set uniforms of our shader, leaving the program NiiVue had in use. */
  private uniforms(set: (location: (name: string) => WebGLUniformLocation | null) => void): void {
    const gl = this.gl
    const program = this.shader?.program
    if (!program) return
    const previous = gl.getParameter(gl.CURRENT_PROGRAM) as WebGLProgram | null
    gl.useProgram(program)
    set((name) => gl.getUniformLocation(program, name))
    gl.useProgram(previous)
  }
}
