import { NVImage } from '@niivue/niivue'
import { describe, expect, it } from 'vitest'
import { installRangeScan, scannable, scanRange, type Scanned } from './rangeScan'

// NiiVue's own scan, kept before ours is installed.
const niivueScan = (NVImage.prototype as unknown as { calMinMax: (vol?: number, isBorder?: boolean) => number[] }).calMinMax

/** A deterministic pseudo-random sequence in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

interface Case {
  name: string
  dims: [number, number, number]
  fill: (x: number, y: number, z: number, r: () => number) => number
  type?: typeof Int16Array | typeof Uint8Array | typeof Float32Array | typeof Uint16Array | typeof Int32Array | typeof Float64Array
  frames?: number
  frame4D?: number
  hdr?: Partial<{ scl_slope: number; scl_inter: number; cal_min: number; cal_max: number; intent_code: number }>
  trustCalMinMax?: boolean
  ignoreZeroVoxels?: boolean
}

function image(c: Case): Scanned {
  const [nx, ny, nz] = c.dims
  const frames = c.frames ?? 1
  const r = random(nx * 7919 + ny * 104729 + nz)
  const img = new (c.type ?? Int16Array)(nx * ny * nz * frames)
  for (let i = 0; i < img.length; i++) {
    const v = i % (nx * ny * nz)
    img[i] = c.fill(v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny)), r) + Math.floor(i / (nx * ny * nz)) * 17
  }
  return {
    hdr: { dims: [frames > 1 ? 4 : 3, nx, ny, nz, frames, 1, 1, 1], scl_slope: 1, scl_inter: 0, cal_min: 0, cal_max: 0, intent_code: 0, ...c.hdr },
    img, frame4D: c.frame4D ?? 0, _colormap: 'gray', trustCalMinMax: c.trustCalMinMax ?? true, percentileFrac: 0.02,
    ignoreZeroVoxels: c.ignoreZeroVoxels ?? false,
  }
}

/** What a scan leaves on the image and returns. */
function outcome(im: Scanned, returned: number[]) {
  return { returned, cal: [im.cal_min, im.cal_max], robust: [im.robust_min, im.robust_max],
    global: [im.global_min, im.global_max], ignoreZero: im.ignoreZeroVoxels, slope: im.hdr!.scl_slope }
}

const body = (x: number, y: number, z: number, nx: number, ny: number) => Math.hypot(x - nx / 2, y - ny / 2) < nx / 3 + z % 3

const CASES: Case[] = [
  { name: 'CT-like int16: air around a body, bone, noise', dims: [40, 36, 30],
    fill: (x, y, z, r) => body(x, y, z, 40, 36) ? Math.round(40 + 60 * r() + (r() < 0.05 ? 1200 : 0)) : -1024 },
  { name: 'int16 at both ends of its range', dims: [16, 16, 16],
    fill: (_x, _y, _z, r) => r() < 0.1 ? -32768 : r() < 0.1 ? 32767 : Math.round(2000 * r()) },
  { name: 'MR-like uint16 with a dark background', dims: [33, 29, 17], type: Uint16Array,
    fill: (x, y, z, r) => body(x, y, z, 33, 29) ? Math.round(300 + 900 * r() ** 2) : Math.round(4 * r()) },
  { name: 'mostly zero uint8 (NiiVue then ignores zeros)', dims: [24, 24, 24], type: Uint8Array,
    fill: (x, y, _z, r) => (x + y) % 5 === 0 ? Math.round(255 * r()) : 0 },
  { name: 'two thirds zero float32 (just over NiiVue\'s 60 %)', dims: [20, 20, 20], type: Float32Array,
    fill: (_x, _y, _z, r) => r() < 0.65 ? 0 : 100 * r() + 1 },
  { name: 'float32 with NaN, negatives and a scale', dims: [21, 19, 13], type: Float32Array, hdr: { scl_slope: 0.5, scl_inter: 10 },
    fill: (_x, _y, _z, r) => r() < 0.03 ? NaN : (r() - 0.3) * 1000 },
  { name: 'float64, a zero slope (read as 1)', dims: [12, 14, 9], type: Float64Array, hdr: { scl_slope: 0 },
    fill: (_x, _y, _z, r) => Math.exp(4 * r()) },
  { name: 'constant volume', dims: [10, 10, 10], fill: () => 7 },
  { name: 'constant centre, varied border: the whole volume scanned', dims: [16, 16, 8],
    fill: (x, _y, _z, r) => x < 4 ? Math.round(100 * r()) : 50 },
  { name: 'trusted header range', dims: [16, 16, 8], hdr: { cal_min: -100, cal_max: 250 }, fill: (_x, _y, _z, r) => Math.round(1000 * r()) },
  { name: 'untrusted header range within the data', dims: [16, 16, 8], trustCalMinMax: false, hdr: { cal_min: 100, cal_max: 250 },
    fill: (_x, _y, _z, r) => Math.round(1000 * r()) },
  { name: 'label map', dims: [16, 16, 8], type: Uint8Array, hdr: { intent_code: 1002 }, fill: (x, y) => (x * 3 + y) % 7 },
  { name: 'int32 with zeros ignored (NiiVue\'s fast path)', dims: [18, 15, 11], type: Int32Array, ignoreZeroVoxels: true,
    fill: (_x, _y, _z, r) => r() < 0.4 ? 0 : Math.round(50000 * r() - 10000) },
  { name: 'a one-bin histogram widened to its neighbours', dims: [20, 20, 20], fill: (x, y, z) => (x + y + z) % 97 === 0 ? 1000 : 3 },
  { name: 'second frame of a 4D volume', dims: [12, 10, 8], frames: 3, frame4D: 1, fill: (_x, _y, _z, r) => Math.round(500 * r()) },
  { name: 'thin volume: one voxel deep', dims: [30, 7, 1], fill: (_x, _y, _z, r) => Math.round(80 * r() - 40) },
]

describe('the range scan', () => {
  for (const c of CASES) {
    it(`gives NiiVue's ranges: ${c.name}`, () => {
      const theirs = image(c)
      const ours = image(c)
      expect(scannable(ours)).toBe(true)
      const expected = outcome(theirs, niivueScan.call(theirs))
      expect(outcome(ours, scanRange(ours))).toEqual(expected)
    })
  }

  it('the scan installed on NVImage: images NiiVue builds get our answer, what it cannot answer goes to NiiVue', () => {
    installRangeScan()
    installRangeScan() // idempotent: no scan wrapped twice
    const installed = (NVImage.prototype as unknown as { calMinMax: typeof niivueScan }).calMinMax
    expect(installed).not.toBe(niivueScan)
    const [ct, reference] = [image(CASES[0]), image(CASES[0])]
    expect(outcome(ct, installed.call(ct))).toEqual(outcome(reference, niivueScan.call(reference)))
    // Voxels in an untyped array: NiiVue's scan, which reads them all the same.
    const untyped = () => ({ ...image(CASES[1]), img: Array.from(image(CASES[1]).img!) })
    const [plain, plainReference] = [untyped(), untyped()]
    expect(scannable(plain)).toBe(false)
    expect(outcome(plain, installed.call(plain))).toEqual(outcome(plainReference, niivueScan.call(plainReference)))
  })
})
