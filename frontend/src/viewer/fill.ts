/**
 * Fill between slices on NiiVue's drawing (no React): the shape-based interpolation of
 * lib/interpolate.ts run on the edited mask (value 1 of the drawing bitmap, NiiVue's RAS voxel
 * order; the other masks' values there are not part of it) along one view's slice axis. The filled
 * voxels are a preview first: drawn with the value PREVIEW (its own, lighter colour: see
 * viewer/overlays.ts) as one step of NiiVue's undo stack, so undo takes them out; accepting makes
 * them part of the drawing (value 1) in that same undo step.
 */

import type { Niivue } from '@niivue/niivue'
import { fillBetweenSlices, type FillResult } from '../lib/interpolate'
import { EDIT_VALUE, PREVIEW_VALUE } from '../lib/labelmap'

export type { FillResult } from '../lib/interpolate'

/** The drawing value of voxels filled but not accepted yet. */
export const PREVIEW = PREVIEW_VALUE

interface UndoInternals {
  drawBitmap: Uint8Array | null
  currentDrawUndoBitmap: number
  opts: { maxDrawUndoBitmaps: number }
  drawAddUndoBitmap: (drawFillOverwrites?: boolean) => void
  refreshDrawing: (isForceRedraw?: boolean) => void
}

/** Fill the empty slices between drawn ones across RAS voxel axis ``axis`` (0 R, 1 A, 2 S) as a preview. */
export function previewFill(nv: Niivue, axis: number): FillResult | null {
  const inner = nv as unknown as UndoInternals
  const back = nv.back
  if (!inner.drawBitmap || !back?.dimsRAS || !back.pixDimsRAS) return null
  acceptFill(nv) // an earlier preview is kept: it is drawn now
  const bitmap = inner.drawBitmap
  const drawn = new Uint8Array(bitmap.length)
  for (let i = 0; i < bitmap.length; i++) if (bitmap[i] === EDIT_VALUE) drawn[i] = 1
  const result = fillBetweenSlices(drawn, back.dimsRAS.slice(1, 4), axis, back.pixDimsRAS.slice(1, 4), PREVIEW)
  if (result.voxels) {
    for (let i = 0; i < bitmap.length; i++) if (drawn[i] === PREVIEW) bitmap[i] = PREVIEW
    inner.drawAddUndoBitmap()
    inner.refreshDrawing(true)
  }
  return result
}

/** Make a preview part of the drawing (the fill's undo step then holds it as drawn). Whether there was one. */
export function acceptFill(nv: Niivue): boolean {
  const inner = nv as unknown as UndoInternals
  const bitmap = inner.drawBitmap
  if (!bitmap || !hasPreview(nv)) return false
  for (let i = 0; i < bitmap.length; i++) if (bitmap[i] === PREVIEW) bitmap[i] = EDIT_VALUE
  // Rewrite the newest undo step (the fill's) instead of adding one: one undo still removes the fill.
  const max = inner.opts.maxDrawUndoBitmaps
  inner.currentDrawUndoBitmap = (inner.currentDrawUndoBitmap - 1 + max) % max
  inner.drawAddUndoBitmap()
  inner.refreshDrawing(true)
  return true
}

/** Whether the drawing holds preview voxels. */
export function hasPreview(nv: Niivue): boolean {
  const bitmap = (nv as unknown as UndoInternals).drawBitmap
  return !!bitmap && bitmap.includes(PREVIEW)
}
