import { describe, expect, it } from 'vitest'
import { orientationLetters, scaleBar } from './annotations'

describe('view annotations', () => {
  it('puts a 10 cm bar centred at the bottom of each view, the same when the view is flipped', () => {
    // A 200 px wide tile showing 250 mm: 10 cm is 80 px.
    const tile = { leftTopWidthHeight: [300, 10, 200, 150], axCorSag: 0, fovMM: [250, 180] }
    const bar = scaleBar(tile, 1)!
    expect(bar[2] - bar[0]).toBe(80)
    expect((bar[0] + bar[2]) / 2).toBe(400)
    expect(bar[1]).toBeGreaterThan(140)
    expect(bar[1]).toBeLessThan(160)
    expect(scaleBar({ ...tile, fovMM: [-250, 180] }, 1)).toEqual(bar)
  })

  it('clips a bar wider than its view to it, and draws none on a view without size', () => {
    const bar = scaleBar({ leftTopWidthHeight: [0, 0, 100, 100], axCorSag: 1, fovMM: [50, 50] }, 1)!
    expect([bar[0], bar[2]]).toEqual([0, 100])
    expect(scaleBar({ leftTopWidthHeight: [0, 0, 0, 100], axCorSag: 1, fovMM: [50, 50] }, 1)).toBeNull()
    expect(scaleBar({ leftTopWidthHeight: [0, 0, 100, 100], axCorSag: 1, fovMM: [] }, 1)).toBeNull()
  })

  it('names the sides of each view: patient right on screen left in radiological display', () => {
    expect(orientationLetters(0, true)).toBe('APRL')
    expect(orientationLetters(0, false)).toBe('APLR')
    expect(orientationLetters(1, true)).toBe('SIRL')
    expect(orientationLetters(2, true)).toBe('SIPA')
  })
})
