/**
 * The masks shown over the base volume, all of them in one 8-bit label volume: NiiVue's drawing
 * layer, whose voxels name the set of masks holding each voxel (lib/labelmap.ts) and whose 256-entry
 * colour table says how each set looks. In the 3D view each mask is a surface mesh built from it (the
 * drawing itself is left out of the 3D rendering, which would show blocks). No React here;
 * ``useNiivue`` owns one instance per viewer.
 *
 * Why not one NiiVue overlay per mask (as before): NiiVue re-renders every overlay into its overlay
 * texture, over the whole volume, on each add, remove or style change — seconds per mask under
 * software rendering on a 512×512×40 CT, minutes for twelve on 300 slices. Here hide, show, opacity,
 * recolour and outline change the colour table only (a 1 KiB upload and one redraw); adding or
 * deleting a mask rewrites that mask's voxels and uploads the label volume once
 * (bench/web/responsiveness.mjs, docs/performance.md).
 *
 * Editing a mask (viewer/drawing.ts draws with NiiVue's pen) happens in the same layer: the edited
 * mask's voxels take the pen's value (1) over the other masks, the other masks stay on screen, and
 * what a stroke erases of the edited mask gives back the other masks' voxels below it.
 */

import { NVImage, NVMesh, type Niivue } from '@niivue/niivue'
import type { UnseenUploads } from './glUploads'
import { surfaceCells as defaultSurfaceCells } from './renderer'
import type { Rgb } from '../lib/colors'
import { ComboLabels, EDIT_VALUE, PREVIEW_VALUE, type MaskLook } from '../lib/labelmap'
import { decodeMaskVoxels, type DecodedMask } from '../lib/nifti-mask'
import { croppedMaskSurface } from '../lib/surface'
import { createDrawing, Slab, uploadSlices } from './drawingTexture'
import { decodeMaskFile } from './maskDecoder'

/** What the app wants shown for one mask. */
export interface OverlaySpec {
  key: string
  color: Rgb
  opacity: number
  visible: boolean
  /** the mask's box in its file's voxel order ([lo, hi) per axis), when the server gave it */
  box?: number[][] | null
  load: () => Promise<Blob>
}

/** 'partial': on screen, but some of its overlaps with other masks could not be given a colour. */
export type OverlayState = 'loading' | 'shown' | 'partial'

interface Layer {
  key: string
  /** its voxels, NiiVue's RAS voxel order */
  indices: Uint32Array
  /** the box holding them ([lo, hi) per file axis) and its voxels (file order), for the 3D surface */
  box: number[][] | null
  crop: Uint8Array
  /** its voxels are in the label volume */
  composed: boolean
  mesh: NVMesh | null
}

const EDIT_ALPHA = 0.7
/** the inside of a mask in outline mode: just above zero, so NiiVue's rim test runs there */
const OUTLINE_INTERIOR = 1 / 255

interface DrawingInternals {
  drawBitmap: Uint8Array | null
  drawLut: { lut: Uint8ClampedArray; labels?: string[] }
  drawRimOpacity: number
  drawOpacity: number
  refreshColormaps: () => void
  refreshDrawing: (isForceRedraw?: boolean) => void
  drawClearAllUndoBitmaps: () => void
  drawAddUndoBitmap: () => void
  drawImage3D: (...args: unknown[]) => void
  drawTexture: WebGLTexture | null
}

export class MaskLayers {
  private layers = new Map<string, Layer>()
  private loading = new Set<string>()
  private specs: OverlaySpec[] = []
  private labels: ComboLabels | null = null
  private outline = false
  private surfaces = false
  private generation = 0
  /** while a mask is edited: its key (null for a new mask), its colour, the label volume without it */
  private edit: { key: string | null; color: Rgb; others: Uint8Array } | null = null
  private readonly inner: DrawingInternals
  /** what restyle last drew; a voxel change (upload) needs a redraw whatever the look */
  private lastLook = ''
  private redrawNeeded = true
  /** the drawing's GPU texture was made empty by createDrawing (else NiiVue's, uploaded whole) */
  private zeroTexture = false

  /** ``surfaceCells``: voxels a surface is built from at most (a coarser grid above; renderer.ts). */
  constructor(private readonly nv: Niivue, private readonly onChange: () => void,
    private readonly surfaceCells = defaultSurfaceCells(false)) {
    this.inner = nv as unknown as DrawingInternals
    // The 3D view shows the masks' surfaces, not the label volume's blocks.
    const draw3D = this.inner.drawImage3D.bind(nv)
    this.inner.drawImage3D = (...args: unknown[]) => {
      const opacity = this.inner.drawOpacity
      this.inner.drawOpacity = 0
      try {
        draw3D(...args)
      } finally {
        this.inner.drawOpacity = opacity
      }
    }
  }

  /**
   * Uploads the 3D view never shows, the drawing being kept out of it (above): to the label volume,
   * and NiiVue's colour tables (``refreshColormaps`` makes them anew each time), whose only row the
   * 3D view would read is the drawing's (a bake reads the others, and comes with an upload of the
   * image). A mask's opacity or a stroke uploads only these: the 3D picture is reused (renderCache.ts).
   */
  readonly uploadsNotIn3D: UnseenUploads = { textures: () => [this.inner.drawTexture], methods: ['refreshColormaps'] }

  /** Forget every mask (the base volume is being replaced; its drawing is closed by the caller). */
  reset(): void {
    for (const layer of this.layers.values()) if (layer.mesh) this.dropMesh(layer)
    this.layers.clear()
    this.loading.clear()
    this.labels = null
    this.edit = null
    this.redrawNeeded = true
    this.generation++
    this.onChange()
  }

  states(): Record<string, OverlayState> {
    const out: Record<string, OverlayState> = {}
    for (const key of this.loading) out[key] = 'loading'
    const partial = this.labels?.partial()
    for (const key of this.shownKeys()) out[key] = partial?.has(key) ? 'partial' : 'shown'
    return out
  }

  /** Masks on screen. */
  count(): number {
    return this.shownKeys().length
  }

  get editing(): boolean {
    return this.edit !== null
  }

  /** Make the viewer show exactly the visible masks of ``specs`` (loading the missing ones in order). */
  async sync(specs: OverlaySpec[]): Promise<void> {
    const generation = this.generation
    this.specs = specs
    this.reconcile()
    this.restyle()
    this.onChange()
    for (const spec of specs) {
      if (!spec.visible || this.layers.has(spec.key) || this.loading.has(spec.key)) continue
      this.loading.add(spec.key)
      this.onChange()
      try {
        const blob = await spec.load()
        if (generation !== this.generation) return
        const mask = await this.decode(blob, spec.box ?? null)
        if (!mask || generation !== this.generation) return
        this.layers.set(spec.key, { key: spec.key, indices: mask.indices, box: mask.box, crop: mask.crop, composed: false,
          mesh: null })
        this.reconcile()
        this.restyle()
      } finally {
        this.loading.delete(spec.key)
        this.onChange()
      }
    }
  }

  setOutline(outline: boolean): void {
    if (outline === this.outline) return
    this.outline = outline
    this.reconcile()
    this.restyle()
  }

  /** Surfaces in the 3D view (built on demand: only while a 3D view is on screen). */
  setSurfaces(on: boolean): void {
    this.surfaces = on
    this.restyle()
  }

  /**
   * Edit mask ``key`` (its voxels from ``mask`` when not shown yet), or draw a new one (both null),
   * in ``color``: from here NiiVue's pen draws value 1 in the label volume, over the other masks.
   */
  async beginEdit(key: string | null, mask: Blob | null, color: Rgb): Promise<void> {
    const generation = this.generation
    this.reconcile()
    let indices = key ? this.layers.get(key)?.indices ?? null : null
    if (!indices && mask) {
      const decoded = await this.decode(mask, null)
      if (!decoded || generation !== this.generation) return
      indices = decoded.indices
    }
    const labels = this.ensureLabels()
    if (!labels) return
    const layer = key ? this.layers.get(key) : undefined
    if (layer?.composed) {
      labels.remove(layer.key, layer.indices)
      layer.composed = false
    }
    this.edit = { key, color, others: labels.bitmap.slice() }
    if (indices) for (let i = 0; i < indices.length; i++) labels.bitmap[indices[i]] = EDIT_VALUE
    this.inner.drawClearAllUndoBitmaps()
    this.inner.drawAddUndoBitmap()
    this.inner.refreshDrawing(false)
    this.redrawNeeded = true
    this.restyle()
    this.onChange()
  }

  /** After a stroke (before its undo step is recorded): what the eraser took of the edited mask
   * shows the other masks again. */
  afterStroke(): void {
    const bitmap = this.inner.drawBitmap
    const others = this.edit?.others
    if (!bitmap || !others || bitmap.length !== others.length) return
    let restored = 0
    for (let i = 0; i < bitmap.length; i++) {
      if (bitmap[i] === 0 && others[i] !== 0) {
        bitmap[i] = others[i]
        restored++
      }
    }
    if (restored) this.inner.refreshDrawing(true)
  }

  /** The edited mask as a 0/1 volume in NiiVue's RAS voxel order (preview voxels included). */
  editedMask(): Uint8Array | null {
    const bitmap = this.inner.drawBitmap
    if (!bitmap || !this.edit) return null
    const out = new Uint8Array(bitmap.length)
    for (let i = 0; i < bitmap.length; i++) if (bitmap[i] === EDIT_VALUE || bitmap[i] === PREVIEW_VALUE) out[i] = 1
    return out
  }

  /** Stop editing: the label volume without the edited mask again, then the app's masks as they are now. */
  endEdit(): void {
    const edit = this.edit
    if (!edit || !this.labels) return
    this.labels.bitmap.set(edit.others)
    this.inner.drawBitmap = this.labels.bitmap // NiiVue's undo replaces the array it draws
    this.inner.drawClearAllUndoBitmaps()
    this.edit = null
    this.reconcile(true)
    this.restyle()
    this.onChange()
  }

  private shownKeys(): string[] {
    return this.specs.filter((s) => s.visible && this.layers.get(s.key)?.composed).map((s) => s.key)
  }

  /** A mask file decoded for the volume shown (in a worker; here when the worker cannot read it). */
  private async decode(blob: Blob, box: number[][] | null): Promise<DecodedMask | null> {
    const back = this.nv.back
    if (!back?.hdr || !back.permRAS) return null
    const geometry: [number[], number[]] = [Array.from(back.permRAS), Array.from(back.hdr.dims)]
    try {
      return await decodeMaskFile(blob, ...geometry, box)
    } catch {
      const url = URL.createObjectURL(blob)
      try {
        const image = await NVImage.loadFromUrl({ url, name: 'mask.nii.gz', colormap: 'gray', opacity: 0 })
        const hdr = image.hdr!
        return decodeMaskVoxels(image.img as ArrayLike<number>, [hdr.dims[1], hdr.dims[2], hdr.dims[3]], ...geometry, box)
      } finally {
        URL.revokeObjectURL(url)
      }
    }
  }

  private ensureLabels(): ComboLabels | null {
    if (!this.labels || this.inner.drawBitmap !== this.labels.bitmap) {
      if (!this.nv.back) return null
      this.zeroTexture = false
      if (!this.inner.drawBitmap) this.zeroTexture = createDrawing(this.nv)
      if (!this.inner.drawBitmap) return null
      if (!this.zeroTexture) this.inner.drawBitmap.fill(0)
      this.labels = new ComboLabels(this.inner.drawBitmap)
      for (const layer of this.layers.values()) layer.composed = false
      this.inner.drawOpacity = 1
    }
    return this.labels
  }

  /** Voxels follow the app's masks: deleted ones out, loaded ones in (never while editing, whose
   * undo steps hold whole label volumes). ``force`` uploads even when nothing changed. */
  private reconcile(force = false): void {
    if (this.edit) return
    const fresh = !this.labels
    const labels = this.layers.size ? this.ensureLabels() : this.labels
    const wanted = new Set(this.specs.map((s) => s.key))
    const slab = new Slab()
    // Outlines are drawn where a voxel's value changes, whatever the colour table says: in outline
    // mode a hidden mask leaves the voxels (else its border would show inside the masks it overlaps).
    const visible = new Set(this.specs.filter((s) => s.visible).map((s) => s.key))
    const belongs = (key: string) => !this.outline || visible.has(key)
    for (const [key, layer] of [...this.layers]) {
      if (wanted.has(key) && (belongs(key) || !layer.composed)) continue
      if (layer.composed && labels) {
        labels.remove(key, layer.indices)
        layer.composed = false
        slab.cover(layer.indices, this.sliceVoxels())
      }
      if (wanted.has(key)) continue
      this.dropMesh(layer)
      this.layers.delete(key)
    }
    if (!labels) return
    for (const layer of this.layers.values()) {
      if (layer.composed || !belongs(layer.key)) continue
      labels.add(layer.key, layer.indices)
      layer.composed = true
      slab.cover(layer.indices, this.sliceVoxels())
    }
    // A drawing just made by createDrawing is zero on the GPU too: only what was added needs uploading.
    const whole = force || (fresh && !this.zeroTexture)
    if (whole || !this.labels || uploadSlices(this.nv, this.labels.bitmap, slab) === 'all') this.inner.refreshDrawing(false)
    if (force || fresh || !slab.empty) this.redrawNeeded = true
  }

  /** Voxels per axial slice of the label volume (NiiVue's RAS order: z slowest). */
  private sliceVoxels(): number {
    const dims = this.nv.back?.dimsRAS
    return dims ? dims[1] * dims[2] : 1
  }

  /** The colour table, the outline and the surfaces from the current specs; one redraw. */
  private restyle(): void {
    const looks: MaskLook[] = this.specs.map((s) => ({ key: s.key, color: s.color, opacity: s.opacity, visible: s.visible }))
    const extra: Record<number, [number, number, number, number]> = {}
    if (this.edit) {
      const [r, g, b] = this.edit.color
      const light = this.edit.color.map((c) => Math.round(c + (255 - c) * 0.55))
      const alpha = Math.round(EDIT_ALPHA * 255)
      extra[EDIT_VALUE] = [r, g, b, alpha]
      extra[PREVIEW_VALUE] = [light[0], light[1], light[2], alpha]
    }
    const outline = this.outline && !this.edit
    const lut = this.labels?.lut(looks, extra, outline ? OUTLINE_INTERIOR : 1) ?? null
    const meshes = this.styleMeshes()
    // Nothing on screen changes (a rename, a mask still loading): no redraw, which costs a whole
    // frame of the 3D view's surfaces under software rendering.
    const look = `${outline}|${lut ? lut.join() : ''}|${meshes}|${this.surfaces}`
    if (look === this.lastLook && !this.redrawNeeded) return
    this.lastLook = look
    this.redrawNeeded = false
    if (lut) this.inner.drawLut = { ...this.inner.drawLut, lut }
    this.inner.drawRimOpacity = outline ? 1 : -1
    this.inner.refreshColormaps()
    this.nv.drawScene()
  }

  /** Show, hide, build and recolour the surfaces; what they look like now, as a string. */
  private styleMeshes(): string {
    const bySpec = new Map(this.specs.map((s) => [s.key, s]))
    for (const layer of this.layers.values()) {
      const spec = bySpec.get(layer.key)
      const show = !!spec?.visible && layer.composed
      if (show && this.surfaces && !layer.mesh) this.buildMesh(layer, spec!.color)
      if (!layer.mesh || !spec) continue
      layer.mesh.visible = show
      const rgba = layer.mesh.rgba255
      if (rgba[0] !== spec.color[0] || rgba[1] !== spec.color[1] || rgba[2] !== spec.color[2]) {
        // NVMesh rebuilds its vertex colours in setProperty: the surface follows a recolour at once.
        layer.mesh.setProperty('rgba255', new Uint8Array([...spec.color, 255]), this.nv.gl)
      }
    }
    return [...this.layers.values()].map((l) => (l.mesh ? `${l.key}:${l.mesh.visible}:${l.mesh.rgba255.join()}` : '')).join()
  }

  /** The mask's surface for the 3D view, listed for the next redraw (NiiVue's addMesh would redraw every layer). */
  private buildMesh(layer: Layer, color: Rgb): void {
    const affine = this.nv.back?.hdr?.affine
    if (!layer.box || !affine) return
    const { positions, indices } = croppedMaskSurface(layer.crop, layer.box, affine, this.surfaceCells)
    if (!indices.length) return
    const mesh = new NVMesh(positions, indices, `${layer.key}-surface`, new Uint8Array([...color, 255]), 1, true, this.nv.gl)
    layer.mesh = mesh
    this.nv.meshes.push(mesh)
  }

  private dropMesh(layer: Layer): void {
    if (!layer.mesh) return
    layer.mesh.unloadMesh(this.nv.gl)
    this.nv.meshes = this.nv.meshes.filter((m) => m !== layer.mesh)
    layer.mesh = null
  }
}
