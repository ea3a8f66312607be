import { gzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { tagNifti, tagText } from './nifti-tag'

function header(descrip = 'from niivue'): Uint8Array {
  const bytes = new Uint8Array(352 + 8)
  new DataView(bytes.buffer).setInt32(0, 348, true)
  bytes.set(new TextEncoder().encode(descrip), 148)
  bytes[352] = 7
  return bytes
}

const descrip = (bytes: Uint8Array) => new TextDecoder().decode(bytes.slice(148, 228)).replace(/\0+$/, '')

describe('nifti tags', () => {
  it('words', () => {
    expect(tagText({ draft: 3 })).toBe('voxtell draft=3')
    expect(tagText({ restore: 5, draft: 0 })).toBe('voxtell restore=5 draft=0')
    expect(tagText({})).toBeNull()
    expect(tagText({ draft: -1 })).toBeNull()
  })

  it('writes descrip, whole and zero-padded, keeps the rest', async () => {
    const tagged = await tagNifti(header('a much longer description than the tag'), { draft: 12 })
    expect(descrip(tagged)).toBe('voxtell draft=12')
    expect(tagged[352]).toBe(7)
  })

  it('reads gzip (a mask downloaded for undo) and writes plain', async () => {
    const tagged = await tagNifti(gzipSync(header()), { restore: 4 })
    expect(tagged[0]).toBe(92)
    expect(descrip(tagged)).toBe('voxtell restore=4')
  })

  it('leaves an untagged file alone and refuses what is not NIfTI-1', async () => {
    const plain = header()
    expect(await tagNifti(plain, {})).toBe(plain)
    await expect(tagNifti(new Uint8Array(400), { draft: 1 })).rejects.toThrow('NIfTI')
  })
})
