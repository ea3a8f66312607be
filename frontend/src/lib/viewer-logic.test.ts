import { describe, expect, it } from 'vitest'
import { brushOffsets, keepInRange, lineVoxels, stamp } from './brush'
import { maskBox, maskSurface, maskSurfaceWithin } from './surface'

describe('brush in millimetres', () => {
  it('is a disc of the given diameter in the drawn plane, none across it', () => {
    const disc = brushOffsets(10, [1, 1, 1], 0, 'disc')
    const pts = Array.from({ length: disc.length / 3 }, (_, i) => [disc[3 * i], disc[3 * i + 1], disc[3 * i + 2]])
    expect(pts.every(([, , z]) => z === 0)).toBe(true)
    expect(Math.max(...pts.map(([x]) => x))).toBe(5)
    // area of a 10 mm disc on a 1 mm grid: close to pi * 25
    expect(pts.length).toBeGreaterThan(70)
    expect(pts.length).toBeLessThan(90)
  })
  it('follows anisotropic spacing and the plane', () => {
    // coronal plane (x, z) with 2.5 mm slices: 10 mm reaches 2 slices, 5 voxels of 1 mm
    const cor = brushOffsets(10, [1, 1, 2.5], 1, 'disc')
    const pts = Array.from({ length: cor.length / 3 }, (_, i) => [cor[3 * i], cor[3 * i + 1], cor[3 * i + 2]])
    expect(pts.every(([, y]) => y === 0)).toBe(true)
    expect(Math.max(...pts.map(([, , z]) => z))).toBe(2)
    expect(Math.max(...pts.map(([x]) => x))).toBe(5)
  })
  it('is a ball in 3D and one voxel when smaller than a voxel', () => {
    expect(brushOffsets(10, [1, 1, 1], 0, 'ball').length / 3).toBeGreaterThan(480) // 4/3 pi 125 = 524
    expect(Array.from(brushOffsets(0.2, [1, 1, 1], 2, 'disc'))).toEqual([0, 0, 0])
  })
  it('stamps inside the volume only and honours an intensity test', () => {
    const bitmap = new Uint8Array(5 * 5 * 1)
    stamp(bitmap, [5, 5, 1], [0, 0, 0], brushOffsets(3, [1, 1, 1], 0, 'disc'), 1)
    expect(Array.from(bitmap.slice(0, 8))).toEqual([1, 1, 0, 0, 0, 1, 1, 0]) // r 1.5: the 3×3 square, clipped at the corner
    const limited = new Uint8Array(5)
    stamp(limited, [5, 1, 1], [2, 0, 0], brushOffsets(5, [1, 1, 1], 0, 'disc'), 1, (x) => x % 2 === 0)
    expect(Array.from(limited)).toEqual([1, 0, 1, 0, 1])
  })
  it('walks lines voxel by voxel and keeps filled strokes in range', () => {
    expect(lineVoxels([0, 0, 0], [3, 1, 0])).toEqual([[0, 0, 0], [1, 0, 0], [2, 1, 0], [3, 1, 0]])
    const before = new Uint8Array([0, 1, 0, 0])
    const after = new Uint8Array([1, 1, 1, 0])
    keepInRange(after, before, [4, 1, 1], (x) => [0, 50, 500, 0][x], [-100, 100])
    expect(Array.from(after)).toEqual([1, 1, 0, 0])
  })
})

/** Enclosed volume of a closed mesh (divergence theorem); positive when faces point outward. */
function enclosed({ positions: p, indices: t }: ReturnType<typeof maskSurface>): number {
  let v = 0
  for (let i = 0; i < t.length; i += 3) {
    const [a, b, c] = [t[i], t[i + 1], t[i + 2]].map((k) => [p[3 * k], p[3 * k + 1], p[3 * k + 2]])
    v += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0])) / 6
  }
  return v
}

describe('mask surfaces for the 3D view', () => {
  const dims = [10, 9, 8]
  const cube = new Uint8Array(10 * 9 * 8)
  for (let z = 2; z < 6; z++) for (let y = 3; y < 7; y++) for (let x = 1; x < 5; x++) cube[x + 10 * (y + 9 * z)] = 1
  const identity = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]

  it('finds the mask box', () => {
    expect(maskBox(cube, dims)).toEqual([[1, 5], [3, 7], [2, 6]])
    expect(maskBox(new Uint8Array(4), [4, 1, 1])).toBeNull()
  })
  it('is closed, faces outward and encloses about the mask volume', () => {
    const mesh = maskSurface(cube, dims, identity)
    const edges = new Map<string, number>()
    for (let i = 0; i < mesh.indices.length; i += 3) {
      for (let e = 0; e < 3; e++) {
        const a = mesh.indices[i + e]
        const b = mesh.indices[i + ((e + 1) % 3)]
        const key = `${a}>${b}`
        edges.set(key, (edges.get(key) ?? 0) + 1)
      }
    }
    // every directed edge appears once and its reverse once: closed and consistently oriented
    for (const [key, n] of edges) {
      expect(n).toBe(1)
      const [a, b] = key.split('>')
      expect(edges.get(`${b}>${a}`), key).toBe(1)
    }
    const volume = enclosed(mesh)
    expect(volume).toBeGreaterThan(27) // between the inner 3³ and the 4³ of voxel centres' hull + half voxels
    expect(volume).toBeLessThan(64)
    const xs = Array.from(mesh.positions).filter((_, i) => i % 3 === 0)
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.5)
    expect(Math.max(...xs)).toBeLessThanOrEqual(4.5)
  })
  it('maps voxels to millimetres and stays outward under a flipping affine', () => {
    const las = [[-2, 0, 0, 100], [0, 1, 0, -50], [0, 0, 3, 7], [0, 0, 0, 1]]
    const mesh = maskSurface(cube, dims, las)
    expect(enclosed(mesh)).toBeCloseTo(enclosed(maskSurface(cube, dims, identity)) * 6, 3)
    const xs = Array.from(mesh.positions).filter((_, i) => i % 3 === 0)
    expect(Math.max(...xs)).toBeLessThanOrEqual(100 - 2 * 0.5)
  })
  it('keeps its place and size when a large mask is reduced', () => {
    const full = maskSurface(cube, dims, identity)
    const cut = maskSurfaceWithin(cube, dims, identity, [[1, 5], [3, 7], [2, 6]])
    expect(enclosed(cut)).toBeCloseTo(enclosed(full), 6) // cut out of its box, not reduced
    const coarse = maskSurfaceWithin(cube, dims, identity, null, 10) // 64 cells > 10: reduced by 2
    expect(coarse.indices.length).toBeLessThan(full.indices.length)
    const xs = Array.from(coarse.positions).filter((_, i) => i % 3 === 0)
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.5)
    expect(Math.max(...xs)).toBeLessThanOrEqual(4.5)
    expect(enclosed(coarse)).toBeGreaterThan(20)
    expect(enclosed(coarse)).toBeLessThan(80)
  })
  it('is empty for an empty mask', () => {
    expect(maskSurface(new Uint8Array(8), [2, 2, 2], identity).indices.length).toBe(0)
  })
})
