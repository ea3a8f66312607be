/**
 * What an edited mask says about where it came from, in its NIfTI-1 header's ``descrip`` (80 bytes
 * at offset 148): ``voxtell draft=<i>`` (an edit of result ``i``: the server records the change
 * from the model's draft) and ``voxtell restore=<i>`` ("Undo" of a delete: the mask gets index
 * ``i`` and its place back). See backend/domain/review.py.
 */

import { gunzip, isGzip } from './gzip'

const DESCRIP = 148
const DESCRIP_LENGTH = 80

export interface MaskTags {
  draft?: number
  restore?: number
}

export function tagText(tags: MaskTags): string | null {
  const parts = (['restore', 'draft'] as const).filter((k) => tags[k] !== undefined && Number.isInteger(tags[k]) && tags[k]! >= 0)
    .map((k) => `${k}=${tags[k]}`)
  return parts.length ? `voxtell ${parts.join(' ')}` : null
}

/** ``nifti`` (plain or gzip NIfTI-1) as a plain NIfTI with ``tags`` in ``descrip`` (a copy; the
 * input unchanged). Without tags: the input as it is. */
export async function tagNifti(nifti: Uint8Array, tags: MaskTags): Promise<Uint8Array> {
  const text = tagText(tags)
  if (!text) return nifti
  const plain = isGzip(nifti) ? await gunzip(nifti) : nifti.slice()
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength)
  if (plain.byteLength < 348 || (view.getInt32(0, true) !== 348 && view.getInt32(0, false) !== 348)) {
    throw new Error('not a NIfTI-1 file')
  }
  plain.fill(0, DESCRIP, DESCRIP + DESCRIP_LENGTH)
  plain.set(new TextEncoder().encode(text).slice(0, DESCRIP_LENGTH - 1), DESCRIP)
  return plain
}
