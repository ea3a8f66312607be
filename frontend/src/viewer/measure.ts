/** What measurements read from NiiVue (no React): the clicked voxel and the image's intensities. */

import type { Niivue } from '@niivue/niivue'
import { DEPTH, roiStats, type MeasurePoint, type Plane, type RoiStats, type Vec3 } from '../lib/measurements'
import { fracToVoxel, voxelCentre } from './voxels'

/** The crosshair (a voxel centre after any click: viewer/voxels.ts) as a point of ``plane``'s view. */
export function crosshairPoint(nv: Niivue, plane: Plane): MeasurePoint | null {
  if (!nv.back?.dimsRAS) return null
  const vox = fracToVoxel(nv, nv.scene.crosshairPos)
  const mm = nv.frac2mm(voxelCentre(nv, vox), 0, true)
  return { vox, mm: [mm[0], mm[1], mm[2]], plane }
}

/** Statistics of the image (NiiVue's calibrated values: HU for CT) over the rectangle ``a``-``b``. */
export function imageRoi(nv: Niivue, a: MeasurePoint, b: MeasurePoint): RoiStats | null {
  const back = nv.back
  if (!back?.pixDimsRAS) return null
  const inPlane = [0, 1, 2].filter((axis) => axis !== DEPTH[a.plane])
  const pixelMm2 = back.pixDimsRAS[inPlane[0] + 1] * back.pixDimsRAS[inPlane[1] + 1]
  return roiStats(a, b, (v: Vec3) => back.getValue(v[0], v[1], v[2]), pixelMm2)
}
