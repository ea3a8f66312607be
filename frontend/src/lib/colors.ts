/** Distinct mask colours: golden-angle hues, so neighbours in the list never look alike. */

export type Rgb = [number, number, number]

export function maskColor(index: number): Rgb {
  const hue = (index * 137.508 + 10) % 360
  return hslToRgb(hue, 0.85, 0.55)
}

export function hslToRgb(h: number, s: number, l: number): Rgb {
  const c = (1 - Math.abs(2 * l - 1)) * s
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1))
  const m = l - c / 2
  const [r, g, b] =
    h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x]
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)]
}

export function cssColor([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`
}

/**
 * Colour slots for result keys: keys already in ``slots`` keep theirs, new ones get the next free
 * slots in order. Slots are never reused, so deleting a mask never re-colours the others (their
 * overlays in the viewer keep the colour they were given).
 */
export function assignColorSlots(keys: string[], slots: Record<string, number>): Record<string, number> {
  let next = Math.max(-1, ...Object.values(slots)) + 1
  let out = slots
  for (const key of keys) {
    if (key in out) continue
    if (out === slots) out = { ...slots }
    out[key] = next++
  }
  return out
}
