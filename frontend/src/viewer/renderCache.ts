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
 * A change that leaves the camera and the tile as they were (a surface shown, hidden or recoloured,
 * a bake) is drawn *behind*: the frame shows the 2D views' change at once with the previous picture;
 * the new picture is drawn into a second target from a later task, once that frame is on screen, a
 * band at a time (``bands``), each band once the GPU has finished the last (a fence, polled each
 * frame), and shown when complete. Drawn in the frame, as NiiVue does, the browser's main thread
 * waited for all of it (300–400 ms on software WebGL: the canvas is read back for the compositor), and
 * no input was taken meanwhile; a frame composited while a band is drawn (the mask list redrawn)
 * waits for that band only. A camera or tile change (rotating, another layout) is drawn in its frame.
 * A 3D view first shown while the image's colours are being baked (liveBake.ts: a layout with one
 * chosen during a case's first bake) shows a blank tile, listed as NiiVue lists its tile, until its
 * first picture has been drawn the same way.

 * Used only where the canvas has no antialiasing (the off-screen target is single-sampled): with a
 * GPU NiiVue asks for it on more than six CPU threads, and draws as before (the viewer asks for none
 * where WebGL draws in software: renderer.ts). ``canvas.dataset``'s
 * ``drawn3d`` / ``reused3d`` count the two kinds of frame, ``deferred3d`` the pictures drawn behind
 * and shown, ``pending3d`` is set while one is being drawn, ``shown3d`` names the image whose picture
 * is on screen (NiiVue's volume id; empty for a blank tile) and ``image3d`` the image open (read by
 * the benchmark and the tests);
 * ``data-reuse3d="off"`` on the canvas (set from the browser's console) turns the reuse off, so the
 * picture can be compared with NiiVue's own drawing.
 */

import { SLICE_TYPE, type Niivue } from '@niivue/niivue'
import { UploadCounter, type UnseenUploads } from './glUploads'
import { afterGpu } from './gpuFence'
import { PictureTargets, type GlBox, type PictureTarget } from './pictureTargets'
import { sceneKey, viewKey } from './sceneKey'

export type { UnseenUploads } from './glUploads'

type Box = [number, number, number, number]
type Draw3D = (ltwh?: number[], mvp?: unknown, model?: unknown, normal?: unknown, azimuth?: number | null,
  elevation?: number) => string | undefined
type CrosshairDraw = (isDepthTest?: boolean, alpha?: number, mvp?: unknown, ...rest: unknown[]) => void

interface Tile {
  leftTopWidthHeight: number[]
}

/** What draw3D leaves enabled. */
interface GlState {
  blend: boolean
  depthTest: boolean
  cullFace: boolean
}

interface Internals {
  bindTextures?: () => void
  draw3D: Draw3D
  drawCrosshairs3D: CrosshairDraw
  calculateMvpMatrix: (object: unknown, ltwh: number[], azimuth: number, elevation: number) => unknown[]
  getBoundsRegion: () => number[]
  setPivot3D: () => void
  screenSlices: Tile[]
  uiData: { mouseDepthPicker: boolean }
}

/** The image on screen (NiiVue's id of its first volume). */
function imageOf(nv: Niivue): string {
  return nv.volumes[0]?.id ?? ''
}

/** The picture being drawn behind the shown one: the key and upload count it is drawn for, and how
 * many pictures frames had drawn when it started. */
interface Behind {
  /** the next band to draw (``bands``: all drawn) */
  band: number
  key: string
  uploads: number
  picture: Picture | null
  drawnInFrame: number
}

/** A picture of the 3D view and what it was drawn from. */
interface Picture {
  /** the scene it shows (``sceneKey``); '' for a blank tile */
  key: string
  view: string
  /** the image it shows (another case's picture is never shown, not even while one is drawn behind) */
  image: string
  uploads: number
  /** the tile NiiVue's draw3D lists (where the pointer finds the 3D view) */
  tile: Tile | null
  text: string | undefined
  after: GlState
}

export class RenderCache {
  private readonly gl: WebGL2RenderingContext
  private readonly inner: Internals
  private readonly draw: Draw3D
  private readonly drawCrosshairs: CrosshairDraw
  private readonly counter: UploadCounter
  private readonly targets: PictureTargets
  private stored: Picture | null = null
  /** the tile of the last frame's 3D view */
  private box: Box = [0, 0, 0, 0]
  /** the picture being drawn behind the one shown */
  private behind: Behind | null = null
  private drawn = 0
  private drawnInFrame = 0
  private reused = 0
  private deferred = 0

  /**
   * ``unseen``: what the app knows the 3D view does not read (uploads to it keep the picture).
   * ``bands``: how many bands a picture drawn behind the shown one is drawn in, each in its own task
   * once the GPU has finished the last. A frame composited meanwhile (a list redrawn, a spinner) waits
   * for the GPU process, which software WebGL keeps busy, for one band instead of the whole picture
   * (docs/performance.md); with a GPU one band, which takes a few milliseconds.
   */
  constructor(private readonly nv: Niivue, unseen: UnseenUploads = { textures: () => [], methods: [] },
    private readonly bands = 1) {
    this.gl = nv.gl
    this.inner = nv as unknown as Internals
    this.draw = this.inner.draw3D.bind(nv)
    this.drawCrosshairs = this.inner.drawCrosshairs3D.bind(nv)
    this.counter = new UploadCounter(this.gl, unseen, (framebuffer) => this.targets.owns(framebuffer))
    this.targets = new PictureTargets(this.gl, this.counter)
  }

  /** Start drawing the 3D view through the cache; false (NiiVue draws as before) where it cannot. */
  install(): boolean {
    if (this.gl.getContextAttributes()?.antialias || !this.targets.create()) return false
    this.counter.install(this.nv)
    this.inner.draw3D = (...args) => this.draw3D(...args)
    // The crosshair mesh is rebuilt whenever the crosshair moves; it is drawn after the copy, never stored.
    this.inner.drawCrosshairs3D = (...args) => this.counter.quietly(() => this.drawCrosshairs(...args))
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
    this.box = box
    this.inner.setPivot3D()
    const key = sceneKey(nv, box)
    if (this.stored && this.stored.image !== imageOf(nv)) this.stored = null
    let stored = this.stored
    let drawnNow = false
    if (!stored || stored.key !== key || stored.uploads !== this.counter.count) {
      const fences = typeof gl.fenceSync === 'function'
      if (stored && stored.view === viewKey(nv, box) && fences) {
        // Only what is seen changed: this frame keeps the picture, a new one is drawn behind it.
        this.drawBehindSoon()
      } else if (!stored && fences && canvas.dataset?.baking3d) {
        // The image's colours still being baked (liveBake.ts): a picture now would show them half
        // done, and its ray cast would hold this frame. The tile stays blank until the
        // picture is drawn behind, once they are.
        stored = this.blankPicture(box)
        this.stored = stored
        this.drawBehindSoon()
      } else {
        stored = this.drawPicture(this.targets.front!, box, key)
        this.stored = stored
        this.drawnInFrame++
        this.drawn++
        drawnNow = true
      }
    }
    if (!drawnNow && stored!.tile) {
      // The tile NiiVue's draw3D would have listed (where the pointer finds the 3D view).
      this.inner.screenSlices.push({ ...stored!.tile, leftTopWidthHeight: box.slice() })
      this.reused++
    }
    const glBox: GlBox = [box[0], gl.canvas.height - box[3] - box[1], box[2], box[3]]
    this.targets.copy(glBox)
    this.crosshairs(box, glBox)
    this.restoreState(stored!.after)
    const region = this.inner.getBoundsRegion()
    gl.viewport(region[0], region[1], region[2], region[3])
    this.report()
    return stored!.text
  }

  /** Draw the 3D view of ``box`` into ``target``, without the crosshair: whole, inside NiiVue's
   * drawScene (the tile it lists stays listed), or only ``band`` (GL pixels), between frames (the list
   * is the last frame's). */
  private drawPicture(target: PictureTarget, box: Box, key: string, band: GlBox | null = null): Picture {
    const gl = this.gl
    const nv = this.nv
    this.targets.size(target, gl.canvas.width, gl.canvas.height)
    this.counter.quietly(() => gl.bindFramebuffer(gl.FRAMEBUFFER, target.framebuffer))
    if (band) {
      // (NiiVue's draw3D never touches the scissor: it clears and draws this band only)
      gl.enable(gl.SCISSOR_TEST)
      gl.scissor(band[0], band[1], band[2], band[3])
    }
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
      if (band) gl.disable(gl.SCISSOR_TEST)
    }
    const slices = this.inner.screenSlices
    const tile = { ...(band ? slices.pop()! : slices[slices.length - 1]) }
    // (isEnabled is answered from the client's copy of the state: no wait for the GPU)
    const after = { blend: gl.isEnabled(gl.BLEND), depthTest: gl.isEnabled(gl.DEPTH_TEST), cullFace: gl.isEnabled(gl.CULL_FACE) }
    return { key, view: viewKey(nv, box), image: imageOf(nv), uploads: this.counter.count, tile, text, after }
  }

  /** An empty tile of the background colour, to be replaced by a picture drawn behind it. */
  private blankPicture(box: Box): Picture {
    const gl = this.gl
    const target = this.targets.front!
    this.targets.size(target, gl.canvas.width, gl.canvas.height)
    this.counter.quietly(() => gl.bindFramebuffer(gl.FRAMEBUFFER, target.framebuffer))
    const back = this.nv.opts.backColor
    gl.clearColor(back[0], back[1], back[2], back[3])
    gl.clearDepth(1)
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT)
    gl.bindFramebuffer(gl.FRAMEBUFFER, null)
    const after = { blend: gl.isEnabled(gl.BLEND), depthTest: gl.isEnabled(gl.DEPTH_TEST), cullFace: gl.isEnabled(gl.CULL_FACE) }
    // Listed as NiiVue's draw3D lists its tile: the pointer finds the 3D view while it is blank, and
    // liveWindow.ts finds a 3D view on screen (whose colours it then bakes).
    const [, model] = this.inner.calculateMvpMatrix(null, box, this.nv.scene.renderAzimuth, this.nv.scene.renderElevation)
    const tile = { leftTopWidthHeight: box.slice(), axCorSag: SLICE_TYPE.RENDER, sliceFrac: 0, AxyzMxy: [], leftTopMM: [],
      fovMM: [(model as ArrayLike<number>)[0], 0] } // (NiiVue's isRadiological: the model's x axis, flipped or not)
    return { key: '', view: viewKey(this.nv, box), image: imageOf(this.nv), uploads: -1, tile, text: undefined, after }
  }

  /** Draw the picture behind the one shown once the frame showing the 2D views' change is on screen:
   * from a task after two animation frames (drawn before, that frame would wait for it). */
  private drawBehindSoon(): void {
    if (this.behind) return
    this.behind = { band: 0, key: '', uploads: -1, picture: null, drawnInFrame: this.drawnInFrame }
    this.report()
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => this.drawBehind(), 0)))
  }

  /** The picture behind: drawn a band at a time, each once the GPU has finished the last (polled each
   * frame), then shown. */
  private drawBehind(): void {
    const gl = this.gl
    const job = this.behind
    if (!job) return
    if ((gl.canvas as HTMLCanvasElement).dataset?.baking3d) {
      // The image's colours are being rebaked a few slices per task (liveBake.ts): a picture now would
      // show them half done and be drawn again after each task. Drawn once they are done.
      requestAnimationFrame(() => this.drawBehind())
      return
    }
    const stored = this.stored
    // Given up where a frame has drawn a picture of its own since (the camera or the tile changed).
    if (!stored || gl.isContextLost() || (gl.canvas as HTMLCanvasElement).dataset?.reuse3d === 'off' ||
      job.drawnInFrame !== this.drawnInFrame) {
      this.behind = null
      this.report()
      return
    }
    this.inner.setPivot3D()
    const key = sceneKey(this.nv, this.box)
    if (key !== job.key || this.counter.count !== job.uploads) job.band = 0 // changed since: from the start
    if (job.band === this.bands) {
      this.targets.swap()
      this.stored = job.picture
      this.behind = null
      this.drawn++
      this.deferred++
      this.report()
      this.nv.drawScene()
      return
    }
    if (job.band === 0 && stored.key === key && stored.uploads === this.counter.count) {
      this.behind = null // what is shown is current again
      this.report()
      return
    }
    // The next band, in GL pixels from the bottom of the tile.
    const box = this.box
    const bottom = gl.canvas.height - box[3] - box[1]
    const [lo, hi] = [job.band, job.band + 1].map((band) => Math.floor((box[3] * band) / this.bands))
    // The state the next frame starts from, as the last one left it (NiiVue sets the rest itself).
    const program = gl.getParameter(gl.CURRENT_PROGRAM) as WebGLProgram | null
    const vao = gl.getParameter(gl.VERTEX_ARRAY_BINDING) as WebGLVertexArrayObject | null
    const caps = [gl.BLEND, gl.DEPTH_TEST, gl.CULL_FACE].map((cap) => [cap, gl.isEnabled(cap)] as const)
    const unit = this.counter.unit
    this.inner.bindTextures?.()
    job.picture = this.drawPicture(this.targets.back!, box, key, [box[0], bottom + lo, box[2], hi - lo])
    for (const [cap, on] of caps) (on ? gl.enable(cap) : gl.disable(cap))
    gl.useProgram(program)
    gl.bindVertexArray(vao)
    gl.activeTexture(unit)
    job.key = key
    job.uploads = this.counter.count
    job.band++
    afterGpu(gl, () => this.drawBehind())
  }

  private report(): void {
    const data = (this.gl.canvas as HTMLCanvasElement).dataset
    if (!data) return
    data.drawn3d = String(this.drawn)
    data.reused3d = String(this.reused)
    data.deferred3d = String(this.deferred)
    if (this.behind) data.pending3d = '1'
    else delete data.pending3d
    data.shown3d = this.stored && this.stored.key !== '' ? this.stored.image : '' // whose picture is on screen ('' a blank tile)
    data.image3d = imageOf(this.nv) // the image open
  }

  /** The tile draw3D resolves ``ltwh`` to (the canvas, or NiiVue's bounds, when none is given). */
  private tileOf(ltwh: number[] | undefined): Box {
    const box = (ltwh ?? [0, 0, 0, 0]).slice(0, 4) as Box
    if (box[2] !== 0 && box[3] !== 0) return box
    if (this.nv.opts.bounds) return this.inner.getBoundsRegion().slice(0, 4) as Box
    return [0, 0, this.gl.canvas.width, this.gl.canvas.height]
  }

  /** NiiVue's two crosshair passes of draw3D: opaque where nothing is in front of it, then faint over all. */
  private crosshairs(box: Box, glBox: GlBox): void {
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
}
