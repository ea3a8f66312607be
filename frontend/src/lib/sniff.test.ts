import { describe, expect, it } from 'vitest'
import { readable, refusal, sniff, sniffFiles } from './sniff'

const bytes = (text: string, size = 0) => {
  const out = new Uint8Array(Math.max(size, text.length))
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  return out
}

function niftiHeader(littleEndian: boolean): Uint8Array<ArrayBuffer> {
  const head = new Uint8Array(352)
  new DataView(head.buffer).setInt32(0, 348, littleEndian)
  head.set(bytes('n+1\0'), 344)
  return head
}

describe('sniffing a file before it is sent', () => {
  it('knows the formats the server reads', () => {
    expect(sniff(niftiHeader(true))).toBe('nifti')
    expect(sniff(niftiHeader(false))).toBe('nifti')
    expect(sniff(Uint8Array.from([0x1f, 0x8b, 8, 0]))).toBe('gzip')
    expect(sniff(bytes('PK\x03\x04rest'))).toBe('zip')
    const dicom = new Uint8Array(200)
    dicom.set(bytes('DICM'), 128)
    expect(sniff(dicom)).toBe('dicom')
    expect(sniff(bytes('NRRD0004\ntype: short\n'))).toBe('nrrd')
    expect(sniff(bytes('ObjectType = Image\nNDims = 3\n'))).toBe('mha')
    expect(sniff(bytes('NDims = 3\n'))).toBe('mha')
  })

  it('names what else it is', () => {
    expect(sniff(bytes('this is not an image '.repeat(30)))).toBe('text')
    expect(sniff(bytes('\x89PNG\r\n\x1a\n\0\0'))).toBe('png')
    expect(sniff(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg')
    expect(sniff(bytes('%PDF-1.7\n'))).toBe('pdf')
    expect(sniff(new Uint8Array(0))).toBe('empty')
    expect(sniff(Uint8Array.from([1, 2, 3, 0, 200, 17]))).toBe('binary')
  })

  it('accepts one readable file, or a series with DICOM-like parts', () => {
    expect(readable(['nifti'])).toBe(true)
    expect(readable(['text'])).toBe(false)
    expect(readable(['binary'])).toBe(false)
    expect(readable(['dicom', 'dicom', 'text'])).toBe(true) // a folder with a README
    expect(readable(['binary', 'binary'])).toBe(true) // DICOM without a preamble: the server decides
    expect(readable(['text', 'png'])).toBe(false)
  })

  it('says what the file is and what is accepted', () => {
    expect(refusal('notes.txt', ['text']))
      .toBe('notes.txt is a text file; drop a NIfTI (.nii/.nii.gz), NRRD, MHA or a DICOM series (folder or .zip)')
    expect(refusal('a.txt and 1 more file', ['text', 'png'])).toMatch(/^a\.txt and 1 more file are not DICOM files \(the first is a text file\); drop a NIfTI/)
  })

  it('reads only the first bytes of each file', async () => {
    const big = new Blob([niftiHeader(true), new Uint8Array(1 << 20)])
    expect(await sniffFiles([big, new Blob(['hello\n'])])).toEqual(['nifti', 'text'])
  })

  it('calls a file the browser cannot read unreadable (a dropped folder), and refuses it', async () => {
    const folder = { slice: () => ({ arrayBuffer: () => Promise.reject(new DOMException('not found', 'NotFoundError')) }) }
    const kinds = await sniffFiles([folder as unknown as Blob])
    expect(kinds).toEqual(['unreadable'])
    expect(readable(kinds)).toBe(false)
    expect(refusal('series', kinds)).toMatch(/^series is not readable as a file \(a folder\? choose the files in it\); drop a NIfTI/)
  })
})
