/** Minimal PNG decoder (8-bit RGB/RGBA, not interlaced: what Chromium's screenshots are). */

import { inflateSync } from 'node:zlib'

export interface Rgba {
  width: number
  height: number
  /** RGBA, row-major, 4 bytes per pixel. */
  data: Uint8Array
}

export function decodePng(file: Buffer): Rgba {
  if (file.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG')
  let width = 0
  let height = 0
  let colorType = 0
  const idat: Buffer[] = []
  for (let pos = 8; pos < file.length;) {
    const length = file.readUInt32BE(pos)
    const type = file.toString('latin1', pos + 4, pos + 8)
    const body = file.subarray(pos + 8, pos + 8 + length)
    if (type === 'IHDR') {
      width = body.readUInt32BE(0)
      height = body.readUInt32BE(4)
      const [depth, ct, , , interlace] = body.subarray(8, 13)
      if (depth !== 8 || (ct !== 2 && ct !== 6) || interlace !== 0) throw new Error(`unsupported PNG (${depth}, ${ct}, ${interlace})`)
      colorType = ct
    } else if (type === 'IDAT') {
      idat.push(body)
    }
    pos += 12 + length
  }
  const channels = colorType === 6 ? 4 : 3
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    const out = pixels.subarray(y * stride, (y + 1) * stride)
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride)
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels] : 0
      const b = prev[i]
      const c = i >= channels ? prev[i - channels] : 0
      let predictor = 0
      if (filter === 1) predictor = a
      else if (filter === 2) predictor = b
      else if (filter === 3) predictor = (a + b) >> 1
      else if (filter === 4) {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      }
      out[i] = (line[i] + predictor) & 0xff
    }
  }
  if (channels === 4) return { width, height, data: pixels }
  const rgba = new Uint8Array(width * height * 4)
  for (let p = 0; p < width * height; p++) {
    rgba.set(pixels.subarray(p * 3, p * 3 + 3), p * 4)
    rgba[p * 4 + 3] = 255
  }
  return { width, height, data: rgba }
}
