/**
 * Fill between slices: shape-based interpolation of a drawing (Raya and Udupa; Herman et al.).
 * The slices drawn on along one axis are the key slices; each empty slice between two of them gets
 * the zero level set of the signed distance maps of its two nearest key slices, blended linearly by
 * its position between them. Each key slice's map is first moved so that its shape's centroid lies
 * on the in-between centroid (the straight line between the two centroids): without that, two
 * shapes that do not overlap in the plane would give nothing in the middle. Two discs give discs of
 * an in-between radius, centred on the line between their centres. Pure: no NiiVue, no DOM.
 *
 * Volumes are flat arrays with x fastest: index = x + y * nx + z * nx * ny.
 */

const FAR = 1e20

/** Squared Euclidean distance transform of one line (Felzenszwalb & Huttenlocher), sample ``step`` apart. */
function edt1d(f: Float64Array, n: number, step: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0
  v[0] = 0
  z[0] = -Infinity
  z[1] = Infinity
  for (let q = 1; q < n; q++) {
    const meet = (p: number) => ((f[q] + (q * step) ** 2) - (f[p] + (p * step) ** 2)) / (2 * step * (q - p))
    let s = meet(v[k])
    while (s <= z[k]) s = meet(v[--k]) // z[0] is -Infinity: stops at k = 0
    k++
    v[k] = q
    z[k] = s
    z[k + 1] = Infinity
  }
  k = 0
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q * step) k++
    d[q] = (q * step - v[k] * step) ** 2 + f[v[k]]
  }
}

/** Euclidean distance (in the units of ``spacing``) from each pixel to the nearest pixel where ``feature`` holds. */
export function distance2d(feature: (i: number) => boolean, w: number, h: number, spacing: [number, number]): Float64Array {
  const grid = new Float64Array(w * h)
  for (let i = 0; i < w * h; i++) grid[i] = feature(i) ? 0 : FAR
  const n = Math.max(w, h)
  const f = new Float64Array(n)
  const d = new Float64Array(n)
  const v = new Int32Array(n)
  const z = new Float64Array(n + 1)
  for (let x = 0; x < w; x++) { // columns
    for (let y = 0; y < h; y++) f[y] = grid[x + y * w]
    edt1d(f, h, spacing[1], d, v, z)
    for (let y = 0; y < h; y++) grid[x + y * w] = d[y]
  }
  for (let y = 0; y < h; y++) { // rows
    for (let x = 0; x < w; x++) f[x] = grid[x + y * w]
    edt1d(f, w, spacing[0], d, v, z)
    for (let x = 0; x < w; x++) grid[x + y * w] = Math.sqrt(d[x])
  }
  return grid
}

/** Signed distance of a binary slice: negative inside, positive outside, the border half a pixel out. */
export function signedDistance(inside: Uint8Array, w: number, h: number, spacing: [number, number]): Float64Array {
  const toInside = distance2d((i) => inside[i] !== 0, w, h, spacing)
  const toOutside = distance2d((i) => inside[i] === 0, w, h, spacing)
  const half = Math.min(spacing[0], spacing[1]) / 2
  const out = new Float64Array(w * h)
  for (let i = 0; i < w * h; i++) out[i] = inside[i] ? half - toOutside[i] : toInside[i] - half
  return out
}

/** The two axes of a slice across ``axis`` (in order) and how to address a voxel of slice ``s``. */
function sliceGeometry(dims: readonly number[], axis: number) {
  const [u, v] = [0, 1, 2].filter((a) => a !== axis)
  const strides = [1, dims[0], dims[0] * dims[1]]
  const w = dims[u]
  const h = dims[v]
  const at = (s: number, i: number) => (i % w) * strides[u] + Math.floor(i / w) * strides[v] + s * strides[axis]
  return { u, v, w, h, at }
}

/** Slice ``s`` across ``axis`` as a 0/1 image (w × h). */
export function extractSlice(volume: ArrayLike<number>, dims: readonly number[], axis: number, s: number): Uint8Array {
  const { w, h, at } = sliceGeometry(dims, axis)
  const out = new Uint8Array(w * h)
  for (let i = 0; i < w * h; i++) out[i] = volume[at(s, i)] ? 1 : 0
  return out
}

/** The slices across ``axis`` holding any non-zero voxel, in order. */
export function drawnSlices(volume: ArrayLike<number>, dims: readonly number[], axis: number): number[] {
  const strides = [1, dims[0], dims[0] * dims[1]]
  const seen = new Uint8Array(dims[axis])
  for (let i = 0; i < volume.length; i++) {
    if (volume[i]) seen[Math.floor(i / strides[axis]) % dims[axis]] = 1
  }
  return [...seen.keys()].filter((s) => seen[s])
}

/** Centroid (pixel units) of the non-zero pixels of a w-wide image. */
function centroid(img: Uint8Array, w: number): [number, number] {
  let [n, cx, cy] = [0, 0, 0]
  for (let i = 0; i < img.length; i++) {
    if (!img[i]) continue
    n++
    cx += i % w
    cy += Math.floor(i / w)
  }
  return [cx / n, cy / n]
}

/** ``map`` (w × h) read bilinearly at (x, y); outside, the border value plus the distance to it. */
export function sample(map: Float64Array, w: number, h: number, x: number, y: number, spacing: [number, number]): number {
  const cx = Math.max(0, Math.min(w - 1, x))
  const cy = Math.max(0, Math.min(h - 1, y))
  const beyond = Math.hypot((x - cx) * spacing[0], (y - cy) * spacing[1])
  const [x0, y0] = [Math.floor(cx), Math.floor(cy)]
  const [x1, y1] = [Math.min(w - 1, x0 + 1), Math.min(h - 1, y0 + 1)]
  const [fx, fy] = [cx - x0, cy - y0]
  const top = map[x0 + y0 * w] * (1 - fx) + map[x1 + y0 * w] * fx
  const bottom = map[x0 + y1 * w] * (1 - fx) + map[x1 + y1 * w] * fx
  return top * (1 - fy) + bottom * fy + beyond
}

export interface FillResult {
  /** voxels set */
  voxels: number
  /** the slices filled, in order */
  slices: number[]
}

/**
 * Set ``value`` in every empty slice across ``axis`` that lies between two drawn ones, where the
 * blend of the two nearest drawn slices' signed distances is inside (≤ 0). ``spacing`` is the
 * voxel size per axis (the distances are in its units). Changes ``volume`` in place.
 */
export function fillBetweenSlices(volume: Uint8Array, dims: readonly number[], axis: number,
  spacing: readonly number[], value = 1): FillResult {
  const keys = drawnSlices(volume, dims, axis)
  const { u, v, w, h, at } = sliceGeometry(dims, axis)
  const px: [number, number] = [spacing[u], spacing[v]]
  const keyMaps = new Map<number, { d: Float64Array; c: [number, number] }>()
  const of = (s: number) => {
    let key = keyMaps.get(s)
    if (!key) {
      const img = extractSlice(volume, dims, axis, s)
      keyMaps.set(s, (key = { d: signedDistance(img, w, h, px), c: centroid(img, w) }))
    }
    return key
  }
  const result: FillResult = { voxels: 0, slices: [] }
  for (let k = 0; k + 1 < keys.length; k++) {
    const [a, b] = [keys[k], keys[k + 1]]
    if (b - a < 2) continue
    const [ka, kb] = [of(a), of(b)]
    for (let s = a + 1; s < b; s++) {
      const t = (s - a) / (b - a)
      // Where this slice's centroid is; each key map read shifted by its centroid's offset from it.
      const c = [0, 1].map((j) => (1 - t) * ka.c[j] + t * kb.c[j])
      const [ax, ay, bx, by] = [ka.c[0] - c[0], ka.c[1] - c[1], kb.c[0] - c[0], kb.c[1] - c[1]]
      let n = 0
      for (let i = 0; i < w * h; i++) {
        const [x, y] = [i % w, Math.floor(i / w)]
        if ((1 - t) * sample(ka.d, w, h, x + ax, y + ay, px) + t * sample(kb.d, w, h, x + bx, y + by, px) <= 0) {
          volume[at(s, i)] = value
          n++
        }
      }
      if (n) result.slices.push(s)
      result.voxels += n
    }
    keyMaps.delete(a) // not a neighbour of any later gap
  }
  return result
}
