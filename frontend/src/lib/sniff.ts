/**
 * What a file is, from its first bytes (in the browser, before anything is sent or the open case
 * replaced): the formats the server reads, or what else it looks like, for a message that names it.
 * The server still validates everything; this only spares the user a round trip and the open case.
 */

export type FileKind =
  | 'nifti' | 'gzip' | 'nrrd' | 'mha' | 'dicom' | 'zip'
  | 'text' | 'png' | 'jpeg' | 'pdf' | 'empty' | 'binary' | 'unreadable'

/** Kinds the server may read (gzip: a .nii.gz; a plain binary of several parts: a DICOM series). */
const READABLE: ReadonlySet<FileKind> = new Set(['nifti', 'gzip', 'nrrd', 'mha', 'dicom', 'zip'])

/** Bytes read from the start of each file: the DICOM preamble and magic (132) and a NIfTI header's magic (348). */
export const SNIFF_BYTES = 352

export const ACCEPTED = 'drop a NIfTI (.nii/.nii.gz), NRRD, MHA or a DICOM series (folder or .zip)'

const DESCRIBED: Record<FileKind, string> = {
  nifti: 'a NIfTI file', gzip: 'a gzip file', nrrd: 'an NRRD file', mha: 'a MetaImage file', dicom: 'a DICOM file',
  zip: 'a zip file', text: 'a text file', png: 'a PNG picture', jpeg: 'a JPEG picture', pdf: 'a PDF document',
  empty: 'an empty file', binary: 'not an image format the app knows',
  unreadable: 'not readable as a file (a folder? choose the files in it)',
}

const ascii = (head: Uint8Array, from: number, to: number) => String.fromCharCode(...head.subarray(from, to))

export function sniff(head: Uint8Array): FileKind {
  if (head.length === 0) return 'empty'
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (ascii(head, 0, 4) === 'PK\x03\x04') return 'zip'
  if (ascii(head, 128, 132) === 'DICM') return 'dicom'
  if (head.length >= 4) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
    const size = [view.getInt32(0, true), view.getInt32(0, false)]
    if (size.includes(348) || size.includes(540)) return 'nifti'
  }
  if (['n+1\0', 'ni1\0'].includes(ascii(head, 344, 348))) return 'nifti'
  const start = ascii(head, 0, Math.min(head.length, 64))
  if (start.startsWith('NRRD000')) return 'nrrd'
  if (/^\s*(ObjectType\s*=\s*Image|NDims)/.test(start)) return 'mha'
  if (ascii(head, 0, 8) === '\x89PNG\r\n\x1a\n') return 'png'
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg'
  if (start.startsWith('%PDF')) return 'pdf'
  return looksLikeText(head) ? 'text' : 'binary'
}

/** Printable ASCII or UTF-8 with line breaks and tabs, no control bytes. */
function looksLikeText(head: Uint8Array): boolean {
  for (const b of head) {
    if (b === 9 || b === 10 || b === 13) continue
    if (b < 32 || b === 127) return false
  }
  return true
}

export function describeKind(kind: FileKind): string {
  return DESCRIBED[kind]
}

/** Whether the server may read what the user opened: one file of a readable kind, or several
 * files (a DICOM series) of which at least one is DICOM or a zip. */
export function readable(kinds: FileKind[]): boolean {
  if (kinds.length === 1) return READABLE.has(kinds[0])
  return kinds.some((k) => k === 'dicom' || k === 'zip' || k === 'binary')
}

/** The message for what was refused: "notes.txt is a text file; drop a NIfTI (.nii/.nii.gz), …". */
export function refusal(label: string, kinds: FileKind[]): string {
  const kind = kinds.length === 1 ? kinds[0] : (kinds.find((k) => !READABLE.has(k)) ?? 'binary')
  const what = kinds.length === 1 ? `is ${describeKind(kind)}` : `are not DICOM files (the first is ${describeKind(kind)})`
  return `${label} ${what}; ${ACCEPTED}`
}

/** The first bytes of each file, sniffed ('unreadable' where the browser cannot read it, e.g. a dropped folder). */
export async function sniffFiles(files: Blob[]): Promise<FileKind[]> {
  return Promise.all(files.map(async (f): Promise<FileKind> => {
    try {
      return sniff(new Uint8Array(await f.slice(0, SNIFF_BYTES).arrayBuffer()))
    } catch {
      return 'unreadable'
    }
  }))
}
