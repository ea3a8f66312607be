import { describe, expect, it } from 'vitest'
import { bytesDigest, filesDigest, fnv1a64 } from './file-digest'

const file = (text: string, name: string) => new File([text], name)

describe('filesDigest', () => {
  it('the same content under another name is the same; other content differs', async () => {
    expect(await filesDigest([file('abc', 'ct.nii.gz')])).toBe(await filesDigest([file('abc', 'copy of ct.nii.gz')]))
    expect(await filesDigest([file('abc', 'ct.nii.gz')])).not.toBe(await filesDigest([file('abd', 'ct.nii.gz')]))
  })

  it('a DICOM set in any order; the chosen series counts', async () => {
    const [a, b] = [file('one', '1.dcm'), file('two', '2.dcm')]
    expect(await filesDigest([a, b])).toBe(await filesDigest([file('two', 'x'), file('one', 'y')]))
    expect(await filesDigest([a, b], '1.2.3')).not.toBe(await filesDigest([a, b], '1.2.4'))
    expect(await filesDigest([a, b])).not.toBe(await filesDigest([a]))
  })

  it('SHA-256 where available', async () => {
    expect(await bytesDigest(new TextEncoder().encode('abc')))
      .toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('FNV-1a 64 matches the reference values', () => {
    expect(fnv1a64(new Uint8Array())).toBe('cbf29ce484222325')
    expect(fnv1a64(new TextEncoder().encode('a'))).toBe('af63dc4c8601ec8c')
    expect(fnv1a64(new TextEncoder().encode('foobar'))).toBe('85944171f73967e8')
  })
})
