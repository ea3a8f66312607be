import { describe, expect, it } from 'vitest'
import { distance2d, drawnSlices, fillBetweenSlices, signedDistance } from './interpolate'

/** A volume of ``dims`` with discs (centre, radius in voxels) on the given slices across ``axis``. */
function withDiscs(dims: number[], axis: number, discs: { s: number; c: [number, number]; r: number }[]): Uint8Array {
  const vol = new Uint8Array(dims[0] * dims[1] * dims[2])
  const [u, v] = [0, 1, 2].filter((a) => a !== axis)
  for (let z = 0; z < dims[2]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++) {
    const p = [x, y, z]
    for (const d of discs) {
      if (p[axis] === d.s && (p[u] - d.c[0]) ** 2 + (p[v] - d.c[1]) ** 2 <= d.r * d.r) vol[x + y * dims[0] + z * dims[0] * dims[1]] = 1
    }
  }
  return vol
}

/** Voxel count and centroid (in-plane) of slice ``s`` across ``axis``. */
function sliceStats(vol: Uint8Array, dims: number[], axis: number, s: number) {
  const [u, v] = [0, 1, 2].filter((a) => a !== axis)
  let n = 0
  let cu = 0
  let cv = 0
  vol.forEach((val, i) => {
    const p = [i % dims[0], Math.floor(i / dims[0]) % dims[1], Math.floor(i / (dims[0] * dims[1]))]
    if (val && p[axis] === s) {
      n++
      cu += p[u]
      cv += p[v]
    }
  })
  return { n, c: n ? [cu / n, cv / n] : [NaN, NaN] }
}

describe('distance transform', () => {
  it('is the Euclidean distance to the nearest feature pixel, in the spacing\'s units', () => {
    const d = distance2d((i) => i === 0, 4, 3, [1, 1])
    expect(d[0]).toBe(0)
    expect(d[3]).toBeCloseTo(3)
    expect(d[3 + 2 * 4]).toBeCloseTo(Math.hypot(3, 2))
    const aniso = distance2d((i) => i === 0, 4, 3, [0.5, 2])
    expect(aniso[3 + 2 * 4]).toBeCloseTo(Math.hypot(1.5, 4))
  })
  it('is signed: negative inside, positive outside', () => {
    const img = new Uint8Array(9 * 9)
    for (let y = 3; y <= 5; y++) for (let x = 3; x <= 5; x++) img[x + 9 * y] = 1
    const sd = signedDistance(img, 9, 9, [1, 1])
    expect(sd[4 + 9 * 4]).toBeCloseTo(-1.5) // centre: 2 px to the nearest outside pixel
    expect(sd[3 + 9 * 4]).toBeCloseTo(-0.5)
    expect(sd[2 + 9 * 4]).toBeCloseTo(0.5)
    expect(sd[0]).toBeCloseTo(Math.hypot(3, 3) - 0.5)
  })
})

describe('fill between slices', () => {
  const dims = [40, 36, 12]

  it('finds the drawn slices along each axis', () => {
    const vol = withDiscs(dims, 2, [{ s: 2, c: [10, 10], r: 3 }, { s: 7, c: [20, 20], r: 2 }])
    expect(drawnSlices(vol, dims, 2)).toEqual([2, 7])
    expect(drawnSlices(vol, dims, 0)).toEqual([...Array(7).keys()].map((i) => 7 + i).concat([18, 19, 20, 21, 22]))
  })

  it('two equal discs give the same disc on every slice between them', () => {
    const vol = withDiscs(dims, 2, [{ s: 3, c: [15, 15], r: 5 }, { s: 8, c: [15, 15], r: 5 }])
    const disc = sliceStats(vol, dims, 2, 3).n
    const result = fillBetweenSlices(vol, dims, 2, [1, 1, 1])
    expect(result.slices).toEqual([4, 5, 6, 7])
    for (const s of [4, 5, 6, 7]) expect(sliceStats(vol, dims, 2, s).n).toBe(disc)
    expect(result.voxels).toBe(4 * disc)
    expect(sliceStats(vol, dims, 2, 2).n, 'nothing outside the drawn range').toBe(0)
    expect(sliceStats(vol, dims, 2, 9).n).toBe(0)
  })

  it('between a large and a small disc: sizes in between, shrinking, centred on the line between the centres', () => {
    const a = { s: 2, c: [10, 12] as [number, number], r: 7 }
    const b = { s: 6, c: [26, 20] as [number, number], r: 3 }
    const vol = withDiscs(dims, 2, [a, b])
    const [na, nb] = [sliceStats(vol, dims, 2, a.s).n, sliceStats(vol, dims, 2, b.s).n]
    fillBetweenSlices(vol, dims, 2, [1, 1, 1])
    let last = na
    for (const s of [3, 4, 5]) {
      const { n, c } = sliceStats(vol, dims, 2, s)
      expect(n, `slice ${s}`).toBeLessThan(last)
      expect(n, `slice ${s}`).toBeGreaterThan(nb)
      const t = (s - a.s) / (b.s - a.s)
      expect(c[0]).toBeCloseTo(a.c[0] + t * (b.c[0] - a.c[0]), 0)
      expect(c[1]).toBeCloseTo(a.c[1] + t * (b.c[1] - a.c[1]), 0)
      last = n
    }
    // The middle slice's area about that of the mean radius' disc.
    expect(sliceStats(vol, dims, 2, 4).n).toBeGreaterThan(Math.PI * 4.5 ** 2 * 0.8)
    expect(sliceStats(vol, dims, 2, 4).n).toBeLessThan(Math.PI * 5.5 ** 2)
  })

  it('works across any axis, with each gap between its own nearest drawn slices, and leaves drawn and adjacent slices', () => {
    const vol = withDiscs(dims, 0, [{ s: 5, c: [18, 6], r: 4 }, { s: 6, c: [18, 6], r: 4 }, { s: 10, c: [18, 6], r: 4 },
      { s: 20, c: [10, 5], r: 2 }])
    const before = vol.slice()
    const result = fillBetweenSlices(vol, dims, 0, [1, 1, 1], 2)
    expect(result.slices).toEqual([7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19])
    vol.forEach((v, i) => {
      if (before[i]) expect(v, 'a drawn voxel stays').toBe(1)
      else if (v) expect(v, 'filled with the value asked for').toBe(2)
    })
  })

  it('nothing to do with fewer than two drawn slices or no gap', () => {
    const one = withDiscs(dims, 2, [{ s: 3, c: [15, 15], r: 5 }])
    expect(fillBetweenSlices(one, dims, 2, [1, 1, 1])).toEqual({ voxels: 0, slices: [] })
    const adjacent = withDiscs(dims, 2, [{ s: 3, c: [15, 15], r: 5 }, { s: 4, c: [15, 15], r: 5 }])
    expect(fillBetweenSlices(adjacent, dims, 2, [1, 1, 1])).toEqual({ voxels: 0, slices: [] })
  })
})
