/** What the reviewer changed, in words for the results list (MaskResult.review). */

import type { MaskResult } from '../api/types'
import { formatVolumeMl } from './format'

export type Review = NonNullable<MaskResult['review']>

/** "from liver: 120 mL → 131 mL · Dice 0.93 · HD95 4.2 mm" */
export function reviewWords(review: Review, draftName: string | null): string {
  const hd = review.hd95_mm === null ? 'HD95 –' : `HD95 ${review.hd95_mm.toFixed(1)} mm`
  return `from ${draftName ?? `mask ${review.draft}`}: ${formatVolumeMl(review.volume_ml_before)} → `
    + `${formatVolumeMl(review.volume_ml_after)} · Dice ${review.dice.toFixed(2)} · ${hd}`
}
