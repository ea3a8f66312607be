/**
 * The masks shown over the base volume: one NiiVue overlay per visible mask (crisp: nearest
 * neighbour), drawn filled or as an outline, and in the 3D view as a surface mesh built from the
 * mask (the overlays themselves are left out of the 3D rendering, which would show blocks).
 * No React here; ``useNiivue`` owns one instance per viewer.
 *
 * NiiVue redraws every layer into its overlay texture on each add, remove or style change (its
 * updateGLVolume), which dominates on large volumes: a mask is therefore styled, and its surface
 * built, before it is added (one redraw, not three), a removal takes its surface out without a redraw
 * of its own and is not followed by a second one, and a hidden mask's decoded
 * image is kept (a mask's key always means the same voxels), so showing it again is one redraw
 * with no download or decoding (bench/web/responsiveness.mjs, docs/performance.md).
 */

import { NVImage, NVMesh, type Niivue } from '@niivue/niivue'
import type { Rgb } from '../lib/colors'
import { maskSurfaceWithin } from '../lib/surface'

type Image = Niivue['volumes'][number]

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

export type OverlayState = 'loading' | 'shown'

interface Layer {
  key: string
  image: Image
  color: Rgb
  opacity: number
  box: number[][] | null
  mesh: NVMesh | null
}

const LABEL_INTENT = 1002 // NIFTI_INTENT_LABEL: NiiVue's label shader, which can draw outlines

export class MaskLayers {
  private layers = new Map<string, Layer>()
  /** hidden masks' images, kept for showing them again */
  private parked = new Map<string, Layer>()
  private loading = new Set<string>()
  private outline = false
  private surfaces = false
  /** the mask being edited: its overlay is hidden while its drawing is shown */
  private hidden: string | null = null
  private generation = 0

  constructor(private readonly nv: Niivue, private readonly onChange: () => void) {}

  /** Forget every overlay (the base volume was replaced: NiiVue dropped the overlays with it). */
  reset(): void {
    for (const layer of this.layers.values()) if (layer.mesh) this.nv.removeMesh(layer.mesh)
    this.layers.clear()
    this.parked.clear()
    this.loading.clear()
    this.generation++
    this.onChange()
  }

  states(): Record<string, OverlayState> {
    const out: Record<string, OverlayState> = {}
    for (const key of this.loading) out[key] = 'loading'
    for (const key of this.layers.keys()) out[key] = 'shown'
    return out
  }

  count(): number {
    return this.layers.size
  }

  /** Make the viewer show exactly the visible masks of ``specs`` (loading the missing ones in order). */
  async sync(specs: OverlaySpec[]): Promise<void> {
    const generation = this.generation
    const wanted = new Map(specs.filter((s) => s.visible && s.key !== this.hidden).map((s) => [s.key, s]))
    const known = new Set(specs.map((s) => s.key))
    for (const key of this.parked.keys()) if (!known.has(key)) this.parked.delete(key) // deleted
    let changed = false
    for (const [key, layer] of [...this.layers]) {
      const spec = wanted.get(key)
      if (!spec) {
        this.remove(key) // NiiVue redraws the rest itself
        this.onChange()
      } else if (spec.color.join() !== layer.color.join() || spec.opacity !== layer.opacity) {
        layer.color = spec.color
        layer.opacity = spec.opacity
        this.style(layer)
        // The 3D surface follows at once (NVMesh rebuilds its vertex colours in setProperty).
        if (layer.mesh) layer.mesh.setProperty('rgba255', new Uint8Array([...spec.color, 255]), this.nv.gl)
        changed = true
      }
    }
    if (changed) this.refresh()
    for (const spec of wanted.values()) {
      if (this.layers.has(spec.key) || this.loading.has(spec.key)) continue
      const parked = this.parked.get(spec.key)
      if (parked) {
        this.parked.delete(spec.key)
        this.show({ ...parked, color: spec.color, opacity: spec.opacity })
        continue
      }
      this.loading.add(spec.key)
      this.onChange()
      try {
        const blob = await spec.load()
        if (generation !== this.generation) return
        const image = await this.loadImage(spec.key, blob)
        if (generation !== this.generation) return
        this.show({ key: spec.key, image, color: spec.color, opacity: spec.opacity, box: spec.box ?? null, mesh: null })
      } finally {
        this.loading.delete(spec.key)
        this.onChange()
      }
      // Hidden or deleted while it loaded: the next sync takes it out again.
    }
  }

  setOutline(outline: boolean): void {
    if (outline === this.outline) return
    this.outline = outline
    this.nv.opts.atlasOutline = outline ? 1 : 0
    for (const layer of this.layers.values()) this.style(layer)
    this.refresh()
  }

  /** Surfaces in the 3D view (built on demand: only while a 3D view is on screen). */
  setSurfaces(on: boolean): void {
    this.surfaces = on
    if (on) for (const layer of this.layers.values()) this.buildMesh(layer)
    this.nv.drawScene()
  }

  hide(key: string | null): void {
    this.hidden = key
    if (key && this.layers.has(key)) {
      this.remove(key)
      this.onChange()
    }
  }

  private async loadImage(key: string, blob: Blob): Promise<Image> {
    const url = URL.createObjectURL(blob)
    try {
      return await NVImage.loadFromUrl({ url, name: `${key}.nii.gz`, colormap: 'gray', opacity: 0 })
    } finally {
      URL.revokeObjectURL(url)
    }
  }

  /** Add a layer's image to NiiVue, styled first: one redraw of the layers. */
  private show(layer: Layer): void {
    this.style(layer)
    layer.image.onColormapChange = this.nv.onColormapChange
    this.layers.set(layer.key, layer)
    if (this.surfaces) this.buildMesh(layer, false) // NiiVue's addMesh would redraw every layer once more
    this.nv.addVolume(layer.image)
    this.onChange()
  }

  /** Take a layer out of NiiVue (which redraws the rest), keeping its image for showing it again. */
  private remove(key: string): void {
    const layer = this.layers.get(key)
    if (!layer) return
    if (layer.mesh) { // out of the list without NiiVue's removeMesh, which redraws every layer: removeVolume does
      layer.mesh.unloadMesh(this.nv.gl)
      this.nv.meshes = this.nv.meshes.filter((m) => m !== layer.mesh)
    }
    this.nv.removeVolume(layer.image)
    this.layers.delete(key)
    this.parked.set(key, { ...layer, mesh: null })
  }

  /** Fill: a one-colour ramp above 0.5 at the mask's opacity. Outline: NiiVue's label shader
   * with only the border drawn (the inside at ~zero opacity). */
  private style(layer: Layer): void {
    const [r, g, b] = layer.color
    const image = layer.image
    if (this.outline) {
      image.hdr!.intent_code = LABEL_INTENT
      image.setColormapLabel({ R: [0, r], G: [0, g], B: [0, b], A: [0, 255], I: [0, 1] })
      image.opacity = 0.001
    } else {
      image.hdr!.intent_code = 0
      image.colormapLabel = null
      // One colormap per mask, its colour replaced in place: assigning an image's colormap makes
      // NiiVue recompute its intensity range over every voxel (a full pass per recolour or opacity).
      const name = `vt-${layer.key}`
      this.nv.addColormap(name, { R: [0, r], G: [0, g], B: [0, b], A: [0, 255], I: [0, 255] })
      if (image.colormap !== name) image.colormap = name
      image.cal_min = 0.5
      image.cal_max = 1
      image.opacity = layer.opacity
    }
  }

  /** The mask's surface for the 3D view; ``redraw`` false: only listed (the caller's next redraw shows it). */
  private buildMesh(layer: Layer, redraw = true): void {
    if (layer.mesh) return
    const image = layer.image
    const hdr = image.hdr!
    const dims = [hdr.dims[1], hdr.dims[2], hdr.dims[3]]
    const { positions, indices } = maskSurfaceWithin(image.img as ArrayLike<number>, dims, hdr.affine, layer.box)
    if (!indices.length) return
    const mesh = new NVMesh(positions, indices, `${image.name}-surface`, new Uint8Array([...layer.color, 255]), 1, true,
      this.nv.gl)
    layer.mesh = mesh
    if (redraw) this.nv.addMesh(mesh)
    else this.nv.meshes.push(mesh)
  }

  private refresh(): void {
    this.nv.updateGLVolume()
    this.onChange()
  }
}
