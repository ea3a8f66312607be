/**
 * The masks shown over the base volume: one NiiVue overlay per visible mask (crisp: nearest
 * neighbour), drawn filled or as an outline, and in the 3D view as a surface mesh built from the
 * mask (the overlays themselves are left out of the 3D rendering, which would show blocks).
 * No React here; ``useNiivue`` owns one instance per viewer.
 */

import { NVMesh, type Niivue } from '@niivue/niivue'
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
  image: Image
  color: Rgb
  opacity: number
  box: number[][] | null
  mesh: NVMesh | null
}

const LABEL_INTENT = 1002 // NIFTI_INTENT_LABEL: NiiVue's label shader, which can draw outlines

export class MaskLayers {
  private layers = new Map<string, Layer>()
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
    let changed = false
    for (const [key, layer] of [...this.layers]) {
      const spec = wanted.get(key)
      if (!spec) {
        this.remove(key)
        changed = true
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
      this.loading.add(spec.key)
      this.onChange()
      try {
        const blob = await spec.load()
        if (generation !== this.generation) return
        const image = await this.addImage(spec.key, blob)
        if (generation !== this.generation) return
        const layer: Layer = { image, color: spec.color, opacity: spec.opacity, box: spec.box ?? null, mesh: null }
        this.layers.set(spec.key, layer)
        this.style(layer)
        this.refresh()
        if (this.surfaces) this.buildMesh(layer)
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
      this.refresh()
    }
  }

  private async addImage(key: string, blob: Blob): Promise<Image> {
    const url = URL.createObjectURL(blob)
    try {
      return await this.nv.addVolumeFromUrl({ url, name: `${key}.nii.gz`, colormap: 'gray', opacity: 0 })
    } finally {
      URL.revokeObjectURL(url)
    }
  }

  private remove(key: string): void {
    const layer = this.layers.get(key)
    if (!layer) return
    this.nv.removeVolume(layer.image)
    if (layer.mesh) this.nv.removeMesh(layer.mesh)
    this.layers.delete(key)
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
      const name = `vt-${r}-${g}-${b}`
      this.nv.addColormap(name, { R: [0, r], G: [0, g], B: [0, b], A: [0, 255], I: [0, 255] })
      image.colormap = name
      image.cal_min = 0.5
      image.cal_max = 1
      image.opacity = layer.opacity
    }
  }

  private buildMesh(layer: Layer): void {
    if (layer.mesh) return
    const image = layer.image
    const hdr = image.hdr!
    const dims = [hdr.dims[1], hdr.dims[2], hdr.dims[3]]
    const { positions, indices } = maskSurfaceWithin(image.img as ArrayLike<number>, dims, hdr.affine, layer.box)
    if (!indices.length) return
    const mesh = new NVMesh(positions, indices, `${image.name}-surface`, new Uint8Array([...layer.color, 255]), 1, true,
      this.nv.gl)
    layer.mesh = mesh
    this.nv.addMesh(mesh)
  }

  private refresh(): void {
    this.nv.updateGLVolume()
    this.onChange()
  }
}
