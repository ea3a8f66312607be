/**
 * Drawing on the viewer with the app's brush (lib/brush.ts): NiiVue's pen paints one voxel (or a
 * square of voxels); its point, line and fill steps are replaced on the instance by a disc or a
 * ball of a diameter in millimetres, optionally limited to an intensity range.
 */

import type { Niivue } from '@niivue/niivue'
import { brushOffsets, keepInRange, lineVoxels, stamp, type Brush, type Plane } from '../lib/brush'

export type DrawTool = 'pen' | 'filled' | 'eraser' | 'filled-eraser'

/** The parts of NiiVue's drawing the brush replaces or reads (instance fields and methods). */
interface DrawingInternals {
  drawBitmap: Uint8Array | null
  drawPenAxCorSag: number
  drawPt: (x: number, y: number, z: number, penValue: number, bitmap?: Uint8Array | null) => void
  drawPenLine: (a: number[], b: number[], penValue: number) => void
  drawPenFilled: () => void
  drawAddUndoBitmap: (...args: unknown[]) => void
  refreshDrawing: (isForceRedraw?: boolean, useClickToSegmentBitmap?: boolean) => void
}

/** ``afterStroke`` runs when a stroke ends, before NiiVue records its undo step (viewer/overlays.ts). */
export function installBrush(nv: Niivue, brush: () => Brush, afterStroke: () => void = () => {}): void {
  const inner = nv as unknown as DrawingInternals
  const geometry = () => {
    const back = nv.back
    if (!back?.dimsRAS || !back.pixDimsRAS) return null
    return { back, dims: back.dimsRAS.slice(1, 4), spacing: back.pixDimsRAS.slice(1, 4) }
  }
  const inRange = (range: [number, number]) => (x: number, y: number, z: number) => {
    const v = nv.back!.getValue(x, y, z)
    return v >= range[0] && v <= range[1]
  }
  const paint = (point: number[], value: number, bitmap: Uint8Array | null) => {
    const g = geometry()
    const target = bitmap ?? inner.drawBitmap
    if (!g || !target) return
    const b = brush()
    const plane = (inner.drawPenAxCorSag >= 0 && inner.drawPenAxCorSag <= 2 ? inner.drawPenAxCorSag : 0) as Plane
    const offsets = brushOffsets(b.diameterMm, g.spacing, plane, b.shape)
    stamp(target, g.dims, point, offsets, value, value !== 0 && b.range ? inRange(b.range) : undefined)
  }
  inner.drawPt = (x, y, z, penValue, bitmap = null) => paint([x, y, z], penValue, bitmap)
  inner.drawPenLine = (a, b, penValue) => {
    for (const point of lineVoxels(a, b)) paint(point, penValue, null)
  }
  // A filled stroke with an intensity range: the fill is limited before the undo step is recorded.
  const fill = inner.drawPenFilled.bind(nv)
  const addUndo = inner.drawAddUndoBitmap.bind(nv)
  let before: Uint8Array | null = null
  inner.drawAddUndoBitmap = (...args: unknown[]) => {
    const g = geometry()
    const range = brush().range
    if (before && g && range && inner.drawBitmap && nv.opts.penValue !== 0) {
      keepInRange(inner.drawBitmap, before, g.dims, (x, y, z) => g.back.getValue(x, y, z), range)
    }
    before = null
    afterStroke()
    addUndo(...args)
  }
  inner.drawPenFilled = () => {
    before = inner.drawBitmap ? inner.drawBitmap.slice() : null
    fill()
    before = null
  }
}

/** NiiVue's pen value and fill flag for a tool (0 erases). */
export function penFor(tool: DrawTool): [number, boolean] {
  return [tool === 'eraser' || tool === 'filled-eraser' ? 0 : 1, tool === 'filled' || tool === 'filled-eraser']
}
