/**
 * A mask file (NIfTI-1, plain or gzip, as the server writes them) decoded for the viewer without
 * NiiVue, so it can run in a worker (viewer/mask.worker.ts): its set voxels as indices in NiiVue's
 * RAS voxel order (lib/labelmap.ts) and the box holding them, cut out (file voxel order), for the
 * 3D surface. Gzip is undone by the browser's DecompressionStream (off the main thread as well).
 */

import { gunzip, isGzip } from './gzip'
import { rasIndices, rasLookup } from './labelmap'
import { maskBox } from './surface'

export interface DecodedMask {
  /** [nx, ny, nz], the file's */
  dims: number[]
  /** set voxels, NiiVue's RAS voxel order */
  indices: Uint32Array
  /** [lo, hi) per file axis holding every set voxel; null when none is */
  box: number[][] | null
  /** the voxels inside ``box`` (file order, x fastest), 0/1 */
  crop: Uint8Array
}

const TYPES: Record<number, [number, (view: DataView, at: number, little: boolean) => number]> = {
  2: [1, (v, at) => v.getUint8(at)],
  256: [1, (v, at) => v.getInt8(at)],
  4: [2, (v, at, le) => v.getInt16(at, le)],
  512: [2, (v, at, le) => v.getUint16(at, le)],
  8: [4, (v, at, le) => v.getInt32(at, le)],
  768: [4, (v, at, le) => v.getUint32(at, le)],
  16: [4, (v, at, le) => v.getFloat32(at, le)],
  64: [8, (v, at, le) => v.getFloat64(at, le)],
}

/** The bytes, un-gzipped when they are gzip. */
async function gunzipped(bytes: ArrayBuffer): Promise<ArrayBuffer> {
  const view = new Uint8Array(bytes)
  return isGzip(view) ? (await gunzip(view)).buffer as ArrayBuffer : bytes
}

/** A NIfTI-1 file's dims and which voxels are non-zero (0/1, file order). Throws on anything else. */
export function nonZeroVoxels(bytes: ArrayBuffer): { dims: number[]; set: Uint8Array } {
  if (bytes.byteLength < 352) throw new Error('not a NIfTI-1 file')
  const view = new DataView(bytes)
  const little = view.getInt32(0, true) === 348
  if (!little && view.getInt32(0, false) !== 348) throw new Error('not a NIfTI-1 file')
  const dims = [1, 2, 3].map((i) => Math.max(1, view.getInt16(40 + 2 * i, little)))
  const type = TYPES[view.getInt16(70, little)]
  if (!type) throw new Error('a mask data type the viewer does not read')
  const offset = Math.max(352, Math.round(view.getFloat32(108, little)))
  const count = dims[0] * dims[1] * dims[2]
  const [size, read] = type
  if (offset + count * size > bytes.byteLength) throw new Error('the mask file is shorter than its header says')
  const set = new Uint8Array(count)
  if (size === 1 && read === TYPES[2][1]) {
    const raw = new Uint8Array(bytes, offset, count)
    for (let i = 0; i < count; i++) if (raw[i]) set[i] = 1
  } else {
    for (let i = 0; i < count; i++) if (read(view, offset + i * size, little)) set[i] = 1
  }
  return { dims, set }
}

/** ``set`` (0/1, file order, ``dims``) as a DecodedMask for a volume whose NiiVue ``permRAS`` and
 * NIfTI-style dims (``[n, nx, ny, nz, ...]``) are given; ``box`` when known (else found). */
export function decodeMaskVoxels(set: ArrayLike<number>, dims: number[], permRAS: number[], backDims: number[],
  box?: number[][] | null): DecodedMask {
  if (dims.some((n, a) => n !== backDims[a + 1])) throw new Error('This mask is not on the grid of the volume shown.')
  const found = box ? clampBox(box, dims) : maskBox(set, dims)
  if (!found) return { dims, indices: new Uint32Array(0), box: null, crop: new Uint8Array(0) }
  const size = found.map(([lo, hi]) => hi - lo)
  const crop = new Uint8Array(size[0] * size[1] * size[2])
  let k = 0
  for (let z = found[2][0]; z < found[2][1]; z++) {
    for (let y = found[1][0]; y < found[1][1]; y++) {
      const row = (z * dims[1] + y) * dims[0]
      for (let x = found[0][0]; x < found[0][1]; x++) crop[k++] = set[row + x] ? 1 : 0
    }
  }
  // The indices read from the cut-out box (one pass over the file's voxels, not two): its voxel
  // (x, y, z) is the file's (lo + x, ...), so each axis's table starts at lo.
  const whole = rasLookup(permRAS, backDims)
  const lookup = { x: whole.x.subarray(found[0][0]), y: whole.y.subarray(found[1][0]), z: whole.z.subarray(found[2][0]) }
  return { dims, indices: rasIndices(crop, size, lookup), box: found, crop }
}

/** The whole decoding: bytes of a mask file to a DecodedMask. */
export async function decodeMask(bytes: ArrayBuffer, permRAS: number[], backDims: number[],
  box?: number[][] | null): Promise<DecodedMask> {
  const { dims, set } = nonZeroVoxels(await gunzipped(bytes))
  return decodeMaskVoxels(set, dims, permRAS, backDims, box)
}

function clampBox(box: number[][], dims: number[]): number[][] | null {
  const out = box.map(([lo, hi], a) => [Math.max(0, lo), Math.min(dims[a], hi)])
  return out.some(([lo, hi]) => hi <= lo) ? null : out
}
