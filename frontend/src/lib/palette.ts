/**
 * Mask colours across a case: every mask of a case has its own colour, whichever run made it.
 *
 * The server gives each job's masks the palette by their index in the job (``maskColor``), so a
 * second run's first mask would get the first run's colour. Here the palette continues across the
 * case: a mask still wearing its index colour that an earlier mask of the case already wears gets
 * the first palette colour no mask of the case wears. The palette: the 12 golden-angle colours, then
 * Glasbey's method (each next colour the candidate farthest, in CIELAB, from all colours so far,
 * among colours bright and saturated enough to show over a grey image).
 */

import { maskColor, type Rgb } from './colors'

const BASE = 12
const cache: Rgb[] = []
let candidates: { rgb: Rgb; lab: number[]; nearest: number }[] = []

/** Colour ``n`` (0-based) of the palette: distinct from colours 0..n-1. */
export function paletteColor(n: number): Rgb {
  if (n < BASE) return maskColor(n)
  while (cache.length <= n) grow()
  return cache[n]
}

function grow(): void {
  if (!cache.length) {
    for (let i = 0; i < BASE; i++) cache.push(maskColor(i))
    const steps = Array.from({ length: 16 }, (_, i) => i * 17)
    for (const r of steps) for (const g of steps) for (const b of steps) {
      const lab = toLab([r, g, b])
      if (lab[0] < 45 || lab[0] > 92 || Math.hypot(lab[1], lab[2]) < 30) continue
      candidates.push({ rgb: [r, g, b], lab, nearest: Infinity })
    }
    for (const c of cache) settle(toLab(c))
    return
  }
  let best = candidates[0]
  for (const c of candidates) if (c.nearest > best.nearest) best = c
  cache.push(best.rgb)
  settle(best.lab)
  candidates = candidates.filter((c) => c !== best)
}

function settle(lab: number[]): void {
  for (const c of candidates) c.nearest = Math.min(c.nearest, distance(c.lab, lab))
}

function distance(a: number[], b: number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])
}

/** sRGB (0..255) to CIELAB (D65). */
export function toLab(rgb: Rgb): number[] {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  const xyz = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
    (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883]
  const [fx, fy, fz] = xyz.map((t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116))
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)]
}

const same = (a: Rgb, b: Rgb) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2]

/** The first palette colour none of ``used`` is. */
export function nextFreeColor(used: Rgb[]): Rgb {
  const taken = new Set(used.map((c) => c.join()))
  for (let n = 0; ; n++) if (!taken.has(paletteColor(n).join())) return paletteColor(n)
}

export interface Coloured {
  key: string
  /** the mask's index in its job (its colour from the server's palette unless someone chose one) */
  index: number
  color: Rgb
}

/**
 * The colours to give masks of a case (in the case's order: runs, then masks) so that no two wear
 * the same: a mask wearing its index colour that an earlier mask already wears gets the next free
 * palette colour. A colour someone chose is never changed. Returns only the masks to recolour.
 */
export function caseColours(masks: Coloured[]): Map<string, Rgb> {
  const kept = new Set<string>()
  const clashing: Coloured[] = []
  for (const m of masks) {
    if (kept.has(m.color.join()) && same(m.color, maskColor(m.index))) clashing.push(m)
    else kept.add(m.color.join())
  }
  const out = new Map<string, Rgb>()
  const used = masks.filter((m) => !clashing.includes(m)).map((m) => m.color)
  for (const m of clashing) {
    const color = nextFreeColor(used)
    used.push(color)
    out.set(m.key, color)
  }
  return out
}
