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

export type DownloadKind = 'mask' | 'zip' | 'labelmap' | 'labels-txt' | 'labels-json' | 'seg' | 'rtstruct' | 'measurements'

/** Local date and time as ``YYYYMMDD-HHMM`` (an export's time in its name: two exports never share one
 * name within a minute's difference, and the browser never needs to add "(1)"). */
export function exportStamp(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0')
  return `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}`
}

/** ``<case>_<mask>.nii.gz`` for one mask; a case's export (every mask of it, one file) with its time:
 * ``<case>_<YYYYMMDD-HHMM>_masks.zip``, ``…_labels.nii.gz``, ``…_seg.dcm``, ... */
export function downloadName(caseName: string, kind: DownloadKind, maskName = '', at: Date = new Date()): string {
  const stem = caseStem(caseName)
  const when = `${stem}_${exportStamp(at)}`
  switch (kind) {
    case 'mask': return `${stem}_${safeFilePart(maskName)}.nii.gz`
    case 'zip': return `${when}_masks.zip`
    case 'labelmap': return `${when}_labels.nii.gz`
    case 'labels-txt': return `${when}_labels.txt`
    case 'labels-json': return `${when}_labels.json`
    case 'seg': return `${when}_seg.dcm`
    case 'rtstruct': return `${when}_rtstruct.dcm`
    case 'measurements': return `${when}_measurements.csv`
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
