/**
 * A mask's surface as a triangle mesh (naive surface nets), for the 3D view.
 *
 * Input: a binary mask in its file's voxel order (x fastest), dims ``[nx, ny, nz]``, and the
 * affine from voxel indices to world millimetres (4×4, row-major; the file's own). Output:
 * vertex positions in world mm and triangle indices, the mask's outside facing out.
 */

export interface Mesh {
  positions: Float32Array
  indices: Uint32Array
}

/** Corner k of a cell is at offset (k & 1, (k >> 1) & 1, (k >> 2) & 1); the 12 edges as corner pairs. */
const EDGES = [[0, 1], [2, 3], [4, 5], [6, 7], [0, 2], [1, 3], [4, 6], [5, 7], [0, 4], [1, 5], [2, 6], [3, 7]]

/** The half-open box [lo, hi) per axis holding every non-zero voxel; null for an empty mask. */
export function maskBox(mask: ArrayLike<number>, dims: number[]): number[][] | null {
  const [nx, ny] = dims
  const lo = [Infinity, Infinity, Infinity]
  const hi = [-1, -1, -1]
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue
    const v = [p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))]
    for (let a = 0; a < 3; a++) {
      if (v[a] < lo[a]) lo[a] = v[a]
      if (v[a] > hi[a]) hi[a] = v[a]
    }
  }
  return hi[0] < 0 ? null : [0, 1, 2].map((a) => [lo[a], hi[a] + 1])
}

export function maskSurface(mask: ArrayLike<number>, dims: number[], affine: number[][], box?: number[][] | null): Mesh {
  const [nx, ny, nz] = dims
  const b = box ?? maskBox(mask, dims)
  if (!b) return { positions: new Float32Array(0), indices: new Uint32Array(0) }
  const lo = b.map(([l]) => Math.max(0, l) - 1)
  const hi = b.map(([, h], a) => Math.min(dims[a], h))
  // cells have origins lo..hi-1 per axis (they span samples origin..origin+1)
  const ni = hi[0] - lo[0]
  const nj = hi[1] - lo[1]
  const sample = (x: number, y: number, z: number) =>
    (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz || !mask[x + nx * (y + ny * z)] ? 0 : 1)
  const positions: number[] = []
  const indices: number[] = []
  const layers = [new Int32Array(ni * nj).fill(-1), new Int32Array(ni * nj).fill(-1)]
  const flip = det3(affine) < 0
  const corner = new Uint8Array(8)
  const quad = (a: number, b2: number, c: number, d: number, outward: boolean) => {
    if (outward !== flip) indices.push(a, b2, c, a, c, d)
    else indices.push(a, c, b2, a, d, c)
  }
  for (let k = 0; k < hi[2] - lo[2]; k++) {
    const z = lo[2] + k
    const cur = layers[k % 2]
    const prev = layers[(k + 1) % 2]
    cur.fill(-1)
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++) {
        const x = lo[0] + i
        const y = lo[1] + j
        let n = 0
        for (let c = 0; c < 8; c++) {
          corner[c] = sample(x + (c & 1), y + ((c >> 1) & 1), z + ((c >> 2) & 1))
          n += corner[c]
        }
        if (n === 0 || n === 8) continue
        let px = 0, py = 0, pz = 0, m = 0
        for (const [e0, e1] of EDGES) {
          if (corner[e0] === corner[e1]) continue
          px += ((e0 & 1) + (e1 & 1)) / 2
          py += (((e0 >> 1) & 1) + ((e1 >> 1) & 1)) / 2
          pz += (((e0 >> 2) & 1) + ((e1 >> 2) & 1)) / 2
          m++
        }
        const v = [x + px / m, y + py / m, z + pz / m]
        cur[i + ni * j] = positions.length / 3
        for (let r = 0; r < 3; r++) {
          positions.push(affine[r][0] * v[0] + affine[r][1] * v[1] + affine[r][2] * v[2] + affine[r][3])
        }
      }
    }
    // Faces: every sample edge with a change, joining the four cells around it.
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++) {
        const x = lo[0] + i
        const y = lo[1] + j
        const s = sample(x, y, z)
        // z-edge (x, y, z)->(x, y, z+1): cells (x-1..x, y-1..y) of this layer
        if (i > 0 && j > 0 && s !== sample(x, y, z + 1)) {
          quad(cur[i - 1 + ni * (j - 1)], cur[i + ni * (j - 1)], cur[i + ni * j], cur[i - 1 + ni * j], s === 1)
        }
        if (k === 0) continue
        // x-edge (x, y, z)->(x+1, y, z): cells (y-1..y, z-1..z)
        if (j > 0 && s !== sample(x + 1, y, z)) {
          quad(prev[i + ni * (j - 1)], prev[i + ni * j], cur[i + ni * j], cur[i + ni * (j - 1)], s === 1)
        }
        // y-edge (x, y, z)->(x, y+1, z): cells (x-1..x, z-1..z)
        if (i > 0 && s !== sample(x, y + 1, z)) {
          quad(prev[i - 1 + ni * j], cur[i - 1 + ni * j], cur[i + ni * j], prev[i + ni * j], s === 1)
        }
      }
    }
  }
  return { positions: Float32Array.from(positions), indices: Uint32Array.from(indices) }
}

function det3(m: number[][]): number {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
    + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

/**
 * The surface of a mask of any size in bounded time: the mask's box, cut out and — when it holds
 * more than ``maxCells`` voxels — reduced by a whole factor (a coarse voxel is set when any of
 * its voxels is), so that very large or noisy masks still draw quickly in the 3D view.
 */
export function maskSurfaceWithin(mask: ArrayLike<number>, dims: number[], affine: number[][], box?: number[][] | null,
  maxCells = 1_000_000): Mesh {
  const b = box ?? maskBox(mask, dims)
  if (!b) return { positions: new Float32Array(0), indices: new Uint32Array(0) }
  const lo = b.map(([l]) => Math.max(0, l))
  const size = b.map(([, h], a) => Math.min(dims[a], h) - lo[a])
  const cells = size[0] * size[1] * size[2]
  const s = Math.max(1, Math.ceil(Math.cbrt(cells / maxCells)))
  const small = size.map((n) => Math.ceil(n / s))
  const data = new Uint8Array(small[0] * small[1] * small[2])
  const [nx, ny] = dims
  for (let z = 0; z < size[2]; z++) {
    for (let y = 0; y < size[1]; y++) {
      const row = nx * (lo[1] + y + ny * (lo[2] + z)) + lo[0]
      const out = small[0] * (Math.floor(y / s) + small[1] * Math.floor(z / s))
      for (let x = 0; x < size[0]; x++) if (mask[row + x]) data[out + Math.floor(x / s)] = 1
    }
  }
  // coarse voxel (i, j, k) is centred on original voxel lo + s * (i, j, k) + (s - 1) / 2
  const shift = (s - 1) / 2
  const scaled = affine.map((r, k) => (k === 3 ? r : [r[0] * s, r[1] * s, r[2] * s,
    r[3] + r[0] * (lo[0] + shift) + r[1] * (lo[1] + shift) + r[2] * (lo[2] + shift)]))
  return maskSurface(data, small, scaled)
}

/** The surface of a mask given as the voxels of its box only (``crop``, file order, x fastest, for the
 * box ``[lo, hi)`` per axis of the file): the same mesh as the whole mask's, without the whole mask. */
export function croppedMaskSurface(crop: ArrayLike<number>, box: number[][], affine: number[][], maxCells = 1_000_000): Mesh {
  // The box as a volume of its own: its voxel (0, 0, 0) is the file's voxel ``lo``.
  const lo = box.map(([l]) => l)
  const shifted = affine.map((row) => [row[0], row[1], row[2], row[3] + row[0] * lo[0] + row[1] * lo[1] + row[2] * lo[2]])
  return maskSurfaceWithin(crop, box.map(([l, h]) => h - l), shifted, null, maxCells)
}
