import type { NVImage } from '@niivue/niivue'
import { describe, expect, it } from 'vitest'
import { supports } from './liveBake'

const image = (extra: Record<string, unknown> = {}) =>
  ({ colormapType: 0, colormapNegative: '', modulationImage: null, colormapLabel: null, nFrame4D: 1,
    hdr: { intent_code: 0 }, ...extra }) as unknown as NVImage

describe('supports: which images the rebake from the GPU colours as NiiVue would', () => {
  it('a min-to-max colour map without a negative part, no modulation, not a label volume', () => {
    expect(supports(image())).toBe(true)
  })
  it('leaves the others to NiiVue', () => {
    for (const extra of [{ colormapType: 1 }, { colormapType: 2 }, { colormapNegative: 'winter' }, { modulationImage: 1 },
      { colormapLabel: { lut: [] } }, { hdr: { intent_code: 1002 } }, { nFrame4D: 3 }]) {
      expect(supports(image(extra)), JSON.stringify(extra)).toBe(false)
    }
  })
})
