import { describe, expect, it } from 'vitest'
import { reviewWords } from './review'

describe('reviewWords', () => {
  it('names the draft, the volumes, Dice and HD95', () => {
    expect(reviewWords({ draft: 0, volume_ml_before: 120, volume_ml_after: 131.2, dice: 0.9312, hd95_mm: 4.24 }, 'liver'))
      .toBe('from liver: 120.0 mL → 131.2 mL · Dice 0.93 · HD95 4.2 mm')
  })
  it('a draft no longer listed, an emptied mask', () => {
    expect(reviewWords({ draft: 3, volume_ml_before: 2.5, volume_ml_after: 0, dice: 0, hd95_mm: null }, null))
      .toBe('from mask 3: 2.50 mL → 0 mL · Dice 0.00 · HD95 –')
  })
})
