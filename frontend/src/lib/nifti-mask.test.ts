import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { rasIndices, rasLookup } from './labelmap'
import { decodeMask, nonZeroVoxels } from './nifti-mask'

/** A NIfTI-1 file of ``values`` (file order) with ``dims``, datatype ``code`` (2 uint8, 4 int16). */
function nifti(dims: number[], values: number[], code = 2, little = true): ArrayBuffer {
  const size = code === 4 ? 2 : 1
  const buf = new ArrayBuffer(352 + values.length * size)
  const v = new DataView(buf)
  v.setInt32(0, 348, little)
  v.setInt16(40, 3, little)
  dims.forEach((n, i) => v.setInt16(42 + 2 * i, n, little))
  v.setInt16(70, code, little)
  v.setInt16(72, size * 8, little)
  v.setFloat32(108, 352, little)
  values.forEach((x, i) => (code === 4 ? v.setInt16(352 + 2 * i, x, little) : v.setUint8(352 + i, x)))
  return buf
}

const toBuffer = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer

describe('decodeMask', () => {
  const dims = [4, 3, 2]
  const values = Array.from({ length: 24 }, (_, i) => (i === 5 || i === 6 || i === 17 ? 1 : 0)) // (1,1,0) (2,1,0) (1,1,1)
  const permRAS = [-1, 2, 3] // a LAS volume: RAS axis 0 is file x flipped
  const backDims = [3, 4, 3, 2]

  it('gives the set voxels in RAS order, their box and its voxels, from gzip', async () => {
    const mask = await decodeMask(toBuffer(gzipSync(new Uint8Array(nifti(dims, values)))), permRAS, backDims)
    expect(mask.box).toEqual([[1, 3], [1, 2], [0, 2]])
    expect(Array.from(mask.crop)).toEqual([1, 1, 1, 0])
    expect(Array.from(mask.indices).sort((a, b) => a - b))
      .toEqual(Array.from(rasIndices(values, dims, rasLookup(permRAS, backDims))).sort((a, b) => a - b))
    // file x=1, y=1, z=0 is RAS (4-1-1) + 4*1 + 12*0 = 6
    expect(mask.indices).toContain(6)
  })

  it('reads big-endian int16 files, and refuses what is not a mask of this grid', async () => {
    const be = await decodeMask(nifti(dims, values, 4, false), permRAS, backDims)
    expect(be.indices.length).toBe(3)
    expect(() => nonZeroVoxels(new TextEncoder().encode('hello '.repeat(80)).buffer as ArrayBuffer)).toThrow('not a NIfTI-1 file')
    await expect(decodeMask(nifti([4, 3, 3], Array(36).fill(0)), permRAS, backDims)).rejects.toThrow('not on the grid')
  })
})

describe('croppedMaskSurface', () => {
  it('is the whole mask\'s surface, from the box\'s voxels only', async () => {
    const { croppedMaskSurface, maskSurfaceWithin } = await import('./surface')
    const dims = [9, 8, 7]
    const values = Array.from({ length: 9 * 8 * 7 }, (_, p) => {
      const [x, y, z] = [p % 9, Math.floor(p / 9) % 8, Math.floor(p / 72)]
      return (x - 5) ** 2 + (y - 3) ** 2 + (z - 4) ** 2 <= 5 ? 1 : 0
    })
    const affine = [[-0.8, 0, 0, 10], [0, 0.9, 0.1, -4], [0, 0, 1.5, 2], [0, 0, 0, 1]]
    const mask = await decodeMask(nifti(dims, values), [1, 2, 3], [3, ...dims])
    const part = croppedMaskSurface(mask.crop, mask.box!, affine)
    const whole = maskSurfaceWithin(values, dims, affine, null)
    expect(part.indices.length).toBeGreaterThan(0)
    expect(Array.from(part.indices)).toEqual(Array.from(whole.indices))
    expect(Array.from(part.positions).map((v) => Math.round(v * 1e4)))
      .toEqual(Array.from(whole.positions).map((v) => Math.round(v * 1e4)))
  })
})
