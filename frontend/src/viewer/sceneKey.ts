/**
 * What the 3D view's picture depends on besides uploaded data (renderCache.ts keeps a picture while
 * these keys and its upload count stand still): ``viewKey`` where it is drawn and from where it is
 * seen, ``sceneKey`` that and everything else NiiVue's draw3D reads.
 */

import type { Niivue } from '@niivue/niivue'

interface Internals {
  pivot3D: number[]
  furthestFromPivot: number
  renderShader: object | null
  gradientTextureAmount: number
  renderDrawAmbientOcclusion: number
  drawOpacity: number
  position?: unknown
}

/** Where the 3D view is drawn and from where it is seen: a change here is drawn in its frame. */
export function viewKey(nv: Niivue, box: readonly number[]): string {
  const inner = nv as unknown as Internals
  const scene = nv.scene
  return JSON.stringify([
    box, nv.gl.canvas.width, nv.gl.canvas.height,
    scene.renderAzimuth, scene.renderElevation, scene.volScaleMultiplier, scene.clipPlaneDepthAziElevs,
    // only NiiVue's clip-plane render shader reads the crosshair (gradientTextureAmount < 0)
    inner.gradientTextureAmount < 0 ? Array.from(scene.crosshairPos) : null,
    inner.pivot3D, inner.furthestFromPivot, inner.position ?? null,
  ], arrays)
}

/** Everything besides uploaded data that NiiVue's draw3D reads for the tile ``box`` (the 3D crosshair,
 * drawn over the picture, aside). */
export function sceneKey(nv: Niivue, box: readonly number[]): string {
  const inner = nv as unknown as Internals
  // the crosshair's options: only the crosshair reads them, drawn over the picture
  const { show3Dcrosshair: _shown, crosshairWidth: _width, crosshairWidthUnit: _unit, crosshairColor: _colour,
    crosshairGap: _gap, ...opts } = nv.opts
  return JSON.stringify([
    viewKey(nv, box), opts,
    // the window is not here: the 3D view shows NiiVue's baked colours (a bake is an upload)
    nv.volumes.map((v) => [v.id, v.opacity, v.colormap]),
    nv.meshes.map((m) => [m.id, m.visible, m.opacity, m.meshShaderIndex, m.rgba255 && Array.from(m.rgba255)]),
    objectId(inner.renderShader), inner.gradientTextureAmount, inner.renderDrawAmbientOcclusion, inner.drawOpacity,
    nv.document?.labels ?? null,
  ], arrays)
}

function arrays(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value
}

const ids = new WeakMap<object, number>()
let lastId = 0
/** A number naming ``object`` (the same while it lives). */
function objectId(object: object | null): number {
  if (!object) return 0
  if (!ids.has(object)) ids.set(object, ++lastId)
  return ids.get(object)!
}
