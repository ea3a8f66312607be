/** Number formatting for the results list and progress bar. */

export function formatVolumeMl(ml: number): string {
  if (ml === 0) return '0 mL'
  if (ml < 0.1) return `${(ml * 1000).toFixed(1)} mm³`
  if (ml < 10) return `${ml.toFixed(2)} mL`
  if (ml < 1000) return `${ml.toFixed(1)} mL`
  return `${(ml / 1000).toFixed(2)} L`
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return ''
  if (seconds < 1) return '< 1 s left'
  if (seconds < 90) return `${Math.round(seconds)} s left`
  return `${Math.round(seconds / 60)} min left`
}

export function progressFraction(done: number, total: number): number {
  return total > 0 ? Math.min(1, Math.max(0, done / total)) : 0
}

/** Mean ± sd of the image inside a mask (HU for CT); empty for an empty mask. */
export function formatIntensity(mean: number | null, sd: number | null): string {
  if (mean === null || !Number.isFinite(mean)) return ''
  const digits = Math.abs(mean) >= 100 ? 0 : 1
  return sd === null || !Number.isFinite(sd) ? `mean ${mean.toFixed(digits)}` : `mean ${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`
}

/** Millimetres for the readout: one decimal. */
export function formatMm(mm: number[]): string {
  return mm.map((v) => (Math.abs(v) < 0.05 ? 0 : v).toFixed(1)).join(', ')
}

/** An image intensity, rounded for reading (whole numbers from 100 up, else 3 significant
 * digits), with its unit when known ("40 HU"). */
export function formatValue(value: number | null, unit: string | null | undefined): string {
  if (value === null || !Number.isFinite(value)) return '–'
  const abs = Math.abs(value)
  const text = Number.isInteger(value) || abs >= 100 ? String(Math.round(value))
    : abs >= 10 ? value.toFixed(1) : abs >= 1 ? value.toFixed(2) : abs === 0 ? '0' : value.toPrecision(3)
  return unit ? `${text} ${unit}` : text
}
