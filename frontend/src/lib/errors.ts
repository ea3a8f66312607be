/** The one place turning a failure into words for the page: the file it concerns, the problem. */

import { ApiError, plainText } from '../api/errors'
import { ACCEPTED } from './sniff'

/** Server details meaning "this is not an image we can read" (validation of NIfTI, NRRD, DICOM). */
const NOT_AN_IMAGE = /^not a NIfTI|unrecognised header|bad magic|not a (DICOM|zip)|no DICOM|too small to be/i

/** What the user opened, for messages: "case.nii.gz" or "IM0001 and 119 more files". */
export function filesLabel(names: string[]): string {
  if (names.length <= 1) return names[0] ?? 'the file'
  return `${names[0]} and ${names.length - 1} more file${names.length === 2 ? '' : 's'}`
}

/**
 * A message for the page. With ``file`` (the local name of what the user opened) the message
 * names it: "case.nii is not a NIfTI, NRRD, MetaImage or DICOM file the server can read; drop …",
 * "case.nii.gz: <server detail>".
 */
export function describeError(err: unknown, file?: string): string {
  // Never an exception class name ("(EOFError)"): the server's words, or ours, for the user.
  const message = plainText(err instanceof Error ? err.message : String(err))
  if (!file) return message
  if (err instanceof ApiError && err.status === 422 && NOT_AN_IMAGE.test(message)) {
    return `${file} is not a NIfTI, NRRD, MetaImage or DICOM file the server can read; ${ACCEPTED}`
  }
  if (err instanceof ApiError && err.status === 413) return `${file} is larger than the server accepts`
  return `${file}: ${message}`
}
