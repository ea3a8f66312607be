/** Minimal NIfTI-1 writer/reader for the browser tests (int16 in, any integer dtype out). */

import { gunzipSync, gzipSync } from 'node:zlib'

/** A synthetic CT: a body (about 40 HU) in air (-1000 HU) with a brighter "organ" and a little texture. */
export function makeVolume(dims: [number, number, number], spacing: [number, number, number]): Buffer {
  const [nx, ny, nz] = dims
  return makeVolumeFrom(dims, spacing, (x, y, z) => {
    const r = Math.hypot(x - nx / 2, y - ny / 2, z - nz / 2)
    const body = r < Math.min(nx, ny, nz) * 0.45 ? 40 : -1000
    const organ = Math.hypot(x - nx * 0.6, y - ny * 0.45, z - nz / 2) < nx * 0.12 ? 80 : 0
    return body + organ + ((x * 7 + y * 13 + z * 3) % 11)
  })
}

/** An int16 NIfTI (gzip) with voxel (x, y, z) = ``value(x, y, z)``; the x axis runs right to left
 * unless ``srow`` (the sform's three rows, voxel to RAS mm) says otherwise. */
export function makeVolumeFrom(dims: [number, number, number], spacing: [number, number, number],
  value: (x: number, y: number, z: number) => number, srow?: number[][]): Buffer {
  const [nx, ny, nz] = dims
  const header = Buffer.alloc(352)
  header.writeInt32LE(348, 0)
  const dim = [3, nx, ny, nz, 1, 1, 1, 1]
  dim.forEach((d, i) => header.writeInt16LE(d, 40 + 2 * i))
  header.writeInt16LE(4, 70) // int16
  header.writeInt16LE(16, 72)
  const pixdim = [1, ...spacing, 1, 1, 1, 1]
  pixdim.forEach((p, i) => header.writeFloatLE(p, 76 + 4 * i))
  header.writeFloatLE(352, 108)
  header.writeFloatLE(1, 112) // scl_slope
  header.writeInt16LE(2, 254) // sform_code
  const rows = srow ?? [[-spacing[0], 0, 0, 60], [0, spacing[1], 0, -50], [0, 0, spacing[2], -40]]
  rows.flat().forEach((v, i) => header.writeFloatLE(v, 280 + 4 * i))
  header.write('n+1\0', 344, 'latin1')
  const data = Buffer.alloc(nx * ny * nz * 2)
  let i = 0
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) data.writeInt16LE(value(x, y, z), 2 * i++)
    }
  }
  return gzipSync(Buffer.concat([header, data]))
}

export interface Decoded {
  dims: number[]
  voxels: Uint8Array | Uint16Array
}

export function readMask(file: Buffer): Decoded {
  const raw = file[0] === 0x1f && file[1] === 0x8b ? gunzipSync(file) : file
  const dims = [1, 2, 3].map((i) => raw.readInt16LE(40 + 2 * i))
  const datatype = raw.readInt16LE(70)
  const offset = Math.round(raw.readFloatLE(108))
  const n = dims[0] * dims[1] * dims[2]
  const body = raw.subarray(offset)
  if (datatype === 2) return { dims, voxels: new Uint8Array(body.buffer, body.byteOffset, n) }
  if (datatype === 512) return { dims, voxels: new Uint16Array(body.buffer.slice(body.byteOffset, body.byteOffset + 2 * n)) }
  throw new Error(`unexpected mask datatype ${datatype}`)
}
