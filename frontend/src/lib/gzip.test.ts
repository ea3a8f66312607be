import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { gunzipInTasks, isGzip } from './gzip'

describe('gunzipInTasks: a volume inflated a slice of time at a time', () => {
  it('gives back the bytes that were compressed (a large file, read in many pieces)', async () => {
    const bytes = new Uint8Array(24 << 20)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 27 // varied, still compressible
    const zipped = new Blob([gzipSync(bytes)])
    const out = new Uint8Array(await (await gunzipInTasks(zipped)).arrayBuffer())
    expect(out.length).toBe(bytes.length)
    expect(Buffer.compare(Buffer.from(out), Buffer.from(bytes))).toBe(0)
  })

  it('tells a gzip file from an uncompressed one', () => {
    expect(isGzip(gzipSync(new Uint8Array(4)))).toBe(true)
    expect(isGzip(new Uint8Array([0x5c, 0x01, 0, 0]))).toBe(false)
  })

  it('a damaged gzip file is an error, not a volume', async () => {
    const zipped = gzipSync(new Uint8Array(1 << 16).fill(7))
    await expect(gunzipInTasks(new Blob([zipped.subarray(0, zipped.length / 2)]))).rejects.toThrow()
  })
})
