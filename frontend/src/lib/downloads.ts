/** File names of downloads: they start with the case's local file name (never sent to the server). */

const EXTENSIONS = /(\.nii\.gz|\.nii|\.nrrd|\.nhdr|\.mha|\.mhd|\.zip|\.dcm|\.gz)$/i

/** A name made safe for a file name: letters, digits, "-", "." and "_" only, at most 80 characters. */
export function safeFilePart(name: string): string {
  const cleaned = name.trim().replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[_.]+|_+$/g, '')
  return cleaned.slice(0, 80) || 'unnamed'
}

/** The case's name without its image extension ("case 12.nii.gz" -> "case_12"). */
export function caseStem(caseName: string): string {
  return safeFilePart(caseName.replace(EXTENSIONS, ''))
}

export type DownloadKind = 'mask' | 'zip' | 'labelmap' | 'labels-txt' | 'labels-json' | 'seg' | 'rtstruct'

/** ``<case>_<mask>.nii.gz``, ``<case>_masks.zip``, ``<case>_labels.nii.gz``, ... */
export function downloadName(caseName: string, kind: DownloadKind, maskName = ''): string {
  const stem = caseStem(caseName)
  switch (kind) {
    case 'mask': return `${stem}_${safeFilePart(maskName)}.nii.gz`
    case 'zip': return `${stem}_masks.zip`
    case 'labelmap': return `${stem}_labels.nii.gz`
    case 'labels-txt': return `${stem}_labels.txt`
    case 'labels-json': return `${stem}_labels.json`
    case 'seg': return `${stem}_seg.dcm`
    case 'rtstruct': return `${stem}_rtstruct.dcm`
  }
}

/** Save a Blob under ``name`` (the a.download attribute), releasing its object URL afterwards. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
