/** Window/level presets by modality and the name of the preset a window matches. */

export interface WindowLevel {
  center: number
  width: number
}

/** Intensity range of the loaded volume: robust (2nd..98th percentile) and full. */
export interface IntensityRange {
  robustMin: number
  robustMax: number
  min: number
  max: number
}

export const CT_PRESETS: Record<string, WindowLevel> = {
  'soft tissue': { center: 40, width: 400 },
  lung: { center: -600, width: 1500 },
  bone: { center: 400, width: 1800 },
  brain: { center: 40, width: 80 },
}

/** "auto" is the 2nd..98th percentile window (MR, PET and anything not known to be CT). */
export const AUTO = 'auto (2–98 %)'
export const FULL = 'full range'
export const CUSTOM = 'custom'

export function isCt(modality: string | null | undefined): boolean {
  return (modality ?? '').toUpperCase() === 'CT'
}

/** The presets offered for a modality: CT windows for CT, percentile windows otherwise. */
export function presetNames(modality: string | null | undefined): string[] {
  return isCt(modality) ? [...Object.keys(CT_PRESETS), AUTO, FULL] : [AUTO, FULL]
}

export function presetWindow(name: string, range: IntensityRange): WindowLevel | null {
  if (name in CT_PRESETS) return CT_PRESETS[name]
  if (name === AUTO) return fromMinMax(range.robustMin, range.robustMax)
  if (name === FULL) return fromMinMax(range.min, range.max)
  return null
}

/** The window a new volume opens with: soft tissue for CT, the percentile window otherwise. */
export function defaultWindow(modality: string | null | undefined, range: IntensityRange): WindowLevel {
  return isCt(modality) ? CT_PRESETS['soft tissue'] : fromMinMax(range.robustMin, range.robustMax)
}

export function fromMinMax(min: number, max: number): WindowLevel {
  return { center: (min + max) / 2, width: Math.max(max - min, 1e-6) }
}

/** Rounded for display: whole numbers for wide windows, else 2 significant decimals. */
export function roundWindowValue(value: number, width: number): number {
  if (Math.abs(width) >= 10) return Math.round(value)
  return Number(value.toFixed(Math.max(0, 2 - Math.floor(Math.log10(Math.max(Math.abs(width), 1e-6))))))
}

/** The preset ``window`` equals (after display rounding), or "custom". */
export function matchPreset(window: WindowLevel, modality: string | null | undefined, range: IntensityRange): string {
  const round = (w: WindowLevel) => [roundWindowValue(w.center, w.width), roundWindowValue(w.width, w.width)].join()
  for (const name of presetNames(modality)) {
    const preset = presetWindow(name, range)
    if (preset && round(preset) === round(window)) return name
  }
  return CUSTOM
}
