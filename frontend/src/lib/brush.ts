/**
 * The drawing brush, in millimetres: a disc in the slice being drawn on (2D) or a ball (3D),
 * optionally painting only voxels whose image intensity lies inside a range.
 *
 * Works on NiiVue's drawing bitmap: one byte per voxel of the base volume in NiiVue's RAS voxel
 * order (x fastest), dims ``[nx, ny, nz]`` and spacing ``[sx, sy, sz]`` mm in that order.
 */

export type BrushShape = 'disc' | 'ball'

export interface Brush {
  /** diameter in millimetres (at least one voxel is always painted) */
  diameterMm: number
  shape: BrushShape
  /** paint only voxels whose intensity lies in [lo, hi]; null: every voxel */
  range: [number, number] | null
}

/** The slice a stroke is drawn on, as NiiVue numbers it: 0 axial (x, y), 1 coronal (x, z), 2 sagittal (y, z). */
export type Plane = 0 | 1 | 2

/**
 * Voxel offsets (dx, dy, dz triplets) whose centres lie within ``diameterMm / 2`` of the brush
 * centre: in the plane of ``plane`` for a disc, in all three axes for a ball.
 */
export function brushOffsets(diameterMm: number, spacing: number[], plane: Plane, shape: BrushShape): Int32Array {
  const r = Math.max(0, diameterMm / 2)
  const free = shape === 'ball' ? [true, true, true] : [plane !== 2, plane !== 1, plane !== 0]
  const reach = spacing.map((s, a) => (free[a] ? Math.floor(r / s + 1e-9) : 0))
  const out: number[] = []
  for (let dz = -reach[2]; dz <= reach[2]; dz++) {
    for (let dy = -reach[1]; dy <= reach[1]; dy++) {
      for (let dx = -reach[0]; dx <= reach[0]; dx++) {
        const d2 = (dx * spacing[0]) ** 2 + (dy * spacing[1]) ** 2 + (dz * spacing[2]) ** 2
        if (d2 <= r * r + 1e-9) out.push(dx, dy, dz)
      }
    }
  }
  return Int32Array.from(out)
}

/** Paint ``value`` at every offset around ``centre`` inside the volume, where ``accept`` (when given) agrees. */
export function stamp(bitmap: Uint8Array, dims: number[], centre: number[], offsets: Int32Array, value: number,
  accept?: (x: number, y: number, z: number) => boolean): void {
  const [nx, ny, nz] = dims
  for (let i = 0; i < offsets.length; i += 3) {
    const x = centre[0] + offsets[i]
    const y = centre[1] + offsets[i + 1]
    const z = centre[2] + offsets[i + 2]
    if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) continue
    if (accept && !accept(x, y, z)) continue
    bitmap[x + nx * (y + ny * z)] = value
  }
}

/** Voxel centres along the segment a..b (both included), one per step of the longest axis. */
export function lineVoxels(a: number[], b: number[]): number[][] {
  const steps = Math.max(Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1]), Math.abs(b[2] - a[2]))
  if (steps === 0) return [a.slice(0, 3)]
  const out: number[][] = []
  for (let s = 0; s <= steps; s++) {
    const t = s / steps
    out.push([0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t)))
  }
  return out
}

/** Undo painting outside the intensity range: voxels that changed from ``before`` to a non-zero
 * value and whose intensity is outside [lo, hi] get their old value back (after a filled stroke). */
export function keepInRange(bitmap: Uint8Array, before: Uint8Array, dims: number[], intensity: (x: number, y: number, z: number) => number,
  range: [number, number]): void {
  const [nx, ny] = dims
  for (let p = 0; p < bitmap.length; p++) {
    if (bitmap[p] === before[p] || bitmap[p] === 0) continue
    const x = p % nx
    const y = Math.floor(p / nx) % ny
    const z = Math.floor(p / (nx * ny))
    const v = intensity(x, y, z)
    if (!(v >= range[0] && v <= range[1])) bitmap[p] = before[p]
  }
}
