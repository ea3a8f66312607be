import { describe, expect, it } from 'vitest'
import { describeError } from '../lib/errors'
import { ApiError, messageFor, plainText } from './errors'

describe('error texts for the user', () => {
  it('never show an exception class name', () => {
    expect(plainText('the gzip data is corrupt or truncated (EOFError)')).toBe('the gzip data is corrupt or truncated')
    expect(plainText('the pixel data of a slice cannot be decoded (zlib.error)')).toBe('the pixel data of a slice cannot be decoded')
    expect(plainText('the PACS request failed (unreachable: ConnectError)')).toBe('the PACS request failed (unreachable)')
    expect(plainText('ValueError: bad spacing')).toBe('bad spacing')
    expect(plainText('pydicom.errors.InvalidDicomError: not DICOM')).toBe('not DICOM')
    expect(plainText('failed (timeout)')).toBe('failed (timeout)') // words, not a class
    expect(plainText('liver (edited)')).toBe('liver (edited)')
  })

  it('strip them from server details and from any error shown', () => {
    expect(messageFor(422, { detail: 'the gzip data is corrupt or truncated (EOFError)' })).toBe('the gzip data is corrupt or truncated')
    expect(describeError(new ApiError(422, 'the gzip data is corrupt or truncated (EOFError)'), 'ct.nii.gz'))
      .toBe('ct.nii.gz: the gzip data is corrupt or truncated')
    expect(describeError(new Error('unexpected end (OSError)'))).toBe('unexpected end')
  })

  it('say what a refused image is and what is accepted', () => {
    expect(describeError(new ApiError(422, 'not a NIfTI file'), 'scan.nii')).toBe(
      'scan.nii is not a NIfTI, NRRD, MetaImage or DICOM file the server can read; drop a NIfTI (.nii/.nii.gz), NRRD, MHA or a DICOM series (folder or .zip)')
  })
})
