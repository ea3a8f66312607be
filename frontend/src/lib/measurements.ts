/**
 * Measurements on the 2D views: a distance between two voxel centres and a rectangular ROI on one
 * slice (mean, sd, min, max of the image). Pure data and arithmetic; the viewer supplies the points
 * (voxel-exact, viewer/voxels.ts) and the intensities. Kept per case in localStorage (voxel
 * positions and figures only, nothing of the patient), exported as CSV.
 */

export type Vec3 = [number, number, number]
export type Plane = 0 | 1 | 2

/** A clicked point: NiiVue's RAS voxel (0-based), its centre in world RAS mm, the tile's plane. */
export interface MeasurePoint {
  vox: Vec3
  mm: Vec3
  plane: Plane
}

export interface RoiStats {
  n: number
  mean: number
  sd: number
  min: number
  max: number
  areaMm2: number
}

export type Measurement =
  | { id: number; kind: 'distance'; a: MeasurePoint; b: MeasurePoint; mm: number }
  | { id: number; kind: 'roi'; a: MeasurePoint; b: MeasurePoint; stats: RoiStats }

/** The RAS voxel axis a plane's slice fixes (axial S, coronal A, sagittal R). */
export const DEPTH: Record<Plane, number> = { 0: 2, 1: 1, 2: 0 }
export const PLANE_NAME: Record<Plane, string> = { 0: 'axial', 1: 'coronal', 2: 'sagittal' }

export function distanceMm(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])
}

/** Whether ``b`` lies on the slice of ``a``'s plane (an ROI's second corner must). */
export function sameSlice(a: MeasurePoint, b: MeasurePoint): boolean {
  const d = DEPTH[a.plane]
  return a.vox[d] === b.vox[d]
}

/** Every voxel of the rectangle with corners ``a`` and ``b`` on ``a``'s slice (inclusive). */
export function* roiVoxels(a: MeasurePoint, b: MeasurePoint): Generator<Vec3> {
  const lo = [0, 1, 2].map((i) => Math.min(a.vox[i], b.vox[i]))
  const hi = [0, 1, 2].map((i) => Math.max(a.vox[i], b.vox[i]))
  const d = DEPTH[a.plane]
  lo[d] = hi[d] = a.vox[d]
  for (let z = lo[2]; z <= hi[2]; z++) for (let y = lo[1]; y <= hi[1]; y++) for (let x = lo[0]; x <= hi[0]; x++) yield [x, y, z]
}

/** Statistics of ``value`` over the ROI (population sd); ``pixelMm2``: one voxel's in-plane area. */
export function roiStats(a: MeasurePoint, b: MeasurePoint, value: (v: Vec3) => number, pixelMm2: number): RoiStats {
  // Welford's running mean and sum of squared deviations (exact enough for HU around 1000).
  let n = 0
  let mean = 0
  let m2 = 0
  let min = Infinity
  let max = -Infinity
  for (const v of roiVoxels(a, b)) {
    const x = value(v)
    n++
    const delta = x - mean
    mean += delta / n
    m2 += delta * (x - mean)
    if (x < min) min = x
    if (x > max) max = x
  }
  return { n, mean, sd: Math.sqrt(m2 / n), min, max, areaMm2: n * pixelMm2 }
}

const KEY = 'voxtell-web-measurements:'

function validPoint(raw: unknown): raw is MeasurePoint {
  const p = raw as MeasurePoint | null
  const vec = (v: unknown) => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x))
  return !!p && vec(p.vox) && vec(p.mm) && [0, 1, 2].includes(p.plane)
}

export function loadMeasurements(storage: Pick<Storage, 'getItem'>, volumeId: string): Measurement[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(KEY + volumeId) ?? '[]')
    if (!Array.isArray(parsed)) return []
    return parsed.filter((m): m is Measurement => !!m && typeof m === 'object' && typeof m.id === 'number'
      && (m.kind === 'distance' ? typeof m.mm === 'number' : m.kind === 'roi' && typeof m.stats?.mean === 'number')
      && validPoint(m.a) && validPoint(m.b))
  } catch {
    return []
  }
}

export function saveMeasurements(storage: Pick<Storage, 'setItem' | 'removeItem'>, volumeId: string, list: Measurement[]): void {
  if (list.length) storage.setItem(KEY + volumeId, JSON.stringify(list))
  else storage.removeItem(KEY + volumeId)
}

const num = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '')

/** One line per measurement: where (plane, slice, world mm of both points) and what. */
export function measurementsCsv(list: Measurement[], unit: string | null): string {
  const head = ['id', 'kind', 'plane', 'slice', 'a_x_mm', 'a_y_mm', 'a_z_mm', 'b_x_mm', 'b_y_mm', 'b_z_mm',
    'distance_mm', 'voxels', 'area_mm2', 'mean', 'sd', 'min', 'max', 'unit']
  const rows = list.map((m) => {
    const where = [m.id, m.kind, PLANE_NAME[m.a.plane], m.a.vox[DEPTH[m.a.plane]], ...m.a.mm.map((v) => num(v)), ...m.b.mm.map((v) => num(v))]
    return m.kind === 'distance'
      ? [...where, num(m.mm), '', '', '', '', '', '', '']
      : [...where, '', m.stats.n, num(m.stats.areaMm2), num(m.stats.mean), num(m.stats.sd), num(m.stats.min), num(m.stats.max), unit ?? '']
  })
  return [head, ...rows].map((r) => r.join(',')).join('\n') + '\n'
}
