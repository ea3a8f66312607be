/** What measurements read from NiiVue (no React): the clicked voxel and the image's intensities. */

import type { Niivue } from '@niivue/niivue'
import { DEPTH, PLANE_NAME, roiStats, type MeasurePoint, type Measurement, type Plane, type RoiStats, type Vec3 } from '../lib/measurements'
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

const DISTANCE_COLOUR = [1, 0.85, 0.2, 1]
const ROI_COLOUR = [0.3, 0.9, 1, 1]

interface DrawInternals {
  drawLine: (xyxy: number[], thickness?: number, color?: number[]) => void
  drawText: (xy: number[], text: string, scale?: number, color?: number[] | null) => void
  frac2canvasPosWithTile: (frac: number[], sliceType?: number) => { pos: number[]; tileIndex: number } | null
}

/**
 * Draw ``list`` on the 2D views showing their slice (called while NiiVue draws its 2D annotations:
 * viewer/annotations.ts): a distance as a line between its two points with its length in mm when
 * both lie on the slice shown (else the point that does), an ROI as its rectangle with its mean.
 * Returns what was drawn, ``<view>:<kind>:<id>`` each, for the page's record.
 */
export function drawMeasurements(nv: Niivue, list: readonly Measurement[]): string[] {
  if (!list.length || !nv.back?.dimsRAS) return []
  const inner = nv as unknown as DrawInternals
  const current = fracToVoxel(nv, nv.scene.crosshairPos)
  const width = Math.max(1, Number(nv.opts.rulerWidth) || 1)
  const drawn: string[] = []
  /** Where a point is on its plane's view, when that view shows its slice. */
  const onScreen = (p: MeasurePoint): number[] | null => {
    if (p.vox[DEPTH[p.plane]] !== current[DEPTH[p.plane]]) return null
    const at = inner.frac2canvasPosWithTile(Array.from(voxelCentre(nv, p.vox)), p.plane)
    return at ? at.pos : null
  }
  for (const m of list) {
    const [a, b] = [onScreen(m.a), m.kind === 'roi' || m.b.plane === m.a.plane ? onScreen(m.b) : null]
    if (!a && !b) continue
    const view = PLANE_NAME[m.a.plane]
    if (m.kind === 'distance') {
      if (a && b) {
        inner.drawLine([a[0], a[1], b[0], b[1]], width, DISTANCE_COLOUR)
        inner.drawText([b[0] + 6, b[1] - 6], `${m.mm.toFixed(1)} mm`, 1, DISTANCE_COLOUR)
      }
      for (const p of [a, b]) if (p) inner.drawLine([p[0] - 4, p[1], p[0] + 4, p[1]], width, DISTANCE_COLOUR)
    } else if (a && b) {
      const [x0, y0, x1, y1] = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])]
      for (const edge of [[x0, y0, x1, y0], [x1, y0, x1, y1], [x1, y1, x0, y1], [x0, y1, x0, y0]]) {
        inner.drawLine(edge, width, ROI_COLOUR)
      }
      inner.drawText([x1 + 6, y0], `${m.stats.mean.toFixed(1)} ± ${m.stats.sd.toFixed(1)}`, 1, ROI_COLOUR)
    }
    drawn.push(`${view}:${m.kind}:${m.id}`)
  }
  return drawn
}
