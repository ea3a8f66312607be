import { describe, expect, it } from 'vitest'
import { maskColor, type Rgb } from './colors'
import { caseColours, nextFreeColor, paletteColor, toLab } from './palette'

const labDistance = (a: Rgb, b: Rgb) => {
  const [p, q] = [toLab(a), toLab(b)]
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2])
}

describe('the case palette', () => {
  it('starts with the server palette and continues with distinct colours beyond 12', () => {
    for (let i = 0; i < 12; i++) expect(paletteColor(i)).toEqual(maskColor(i))
    const colours = Array.from({ length: 40 }, (_, i) => paletteColor(i))
    expect(new Set(colours.map((c) => c.join())).size).toBe(40)
    // Each colour after the 12th is perceptibly different from every earlier one (CIELAB ΔE).
    for (let i = 12; i < 40; i++) {
      const nearest = Math.min(...colours.slice(0, i).map((c) => labDistance(c, colours[i])))
      expect(nearest, `colour ${i} ${colours[i]}`).toBeGreaterThan(12)
    }
    // Bright and saturated enough to show over a grey image.
    for (const c of colours.slice(12)) {
      const [L, a, b] = toLab(c)
      expect(L).toBeGreaterThanOrEqual(45)
      expect(Math.hypot(a, b)).toBeGreaterThanOrEqual(30)
    }
  })

  it('continues across runs: a second run\'s masks get the next free colours', () => {
    const run = (job: string, n: number) => Array.from({ length: n }, (_, i) => ({ key: `${job}-${i}`, index: i, color: maskColor(i) }))
    const fix = caseColours([...run('a', 2), ...run('b', 3)])
    expect([...fix.keys()]).toEqual(['b-0', 'b-1'])
    expect(fix.get('b-0')).toEqual(paletteColor(3)) // a-0, a-1 and b-2 wear colours 0, 1 and 2
    expect(fix.get('b-1')).toEqual(paletteColor(4))
  })

  it('never changes a colour someone chose, and leaves distinct colours alone', () => {
    const chosen: Rgb = [1, 2, 3]
    expect(caseColours([{ key: 'a-0', index: 0, color: chosen }, { key: 'b-0', index: 0, color: chosen }]).size).toBe(0)
    expect(caseColours([{ key: 'a-0', index: 0, color: maskColor(0) }, { key: 'a-1', index: 1, color: maskColor(1) }]).size).toBe(0)
    // A recoloured (PATCHed) mask keeps its new colour: it is no longer its index colour.
    expect(caseColours([{ key: 'a-0', index: 0, color: maskColor(0) }, { key: 'b-0', index: 0, color: paletteColor(5) }]).size)
      .toBe(0)
  })

  it('gives a new mask the first colour no mask wears', () => {
    expect(nextFreeColor([])).toEqual(paletteColor(0))
    expect(nextFreeColor([paletteColor(0), paletteColor(2)])).toEqual(paletteColor(1))
    const many = Array.from({ length: 20 }, (_, i) => paletteColor(i))
    expect(nextFreeColor(many)).toEqual(paletteColor(20))
  })
})
