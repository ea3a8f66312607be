/**
 * The patient banner's and the case list's words for a volume: who and what it shows, from the
 * server's ``VolumeInfo.header`` (what the DICOM series said) or, for a NIfTI, NRRD or MHA file, its
 * name. Patient data: shown, never logged.
 */

import type { VolumeHeader, VolumeInfo } from '../api/types'

export interface BannerField {
  /** data-testid suffix and CSS class */
  key: 'name' | 'id' | 'sex' | 'birth' | 'study-date' | 'study' | 'series' | 'modality' | 'file'
  label: string
  value: string
}

/** A DICOM person name (PN) to read: ``Doe^Jane`` → ``Doe, Jane`` (the first, alphabetic group; empty components dropped). */
export function personName(pn: string): string {
  return pn.split('=')[0].split('^').map((part) => part.trim()).filter(Boolean).join(', ')
}

/** A DICOM date as ``YYYY-MM-DD`` (already so from the server; ``YYYYMMDD`` converted); anything else as it is. */
export function isoDate(value: string): string {
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(value.trim())
  return m ? `${m[1]}-${m[2]}-${m[3]}` : value.trim()
}

/**
 * The banner's fields for ``volume``, in reading order, those with a value only: a DICOM volume's
 * patient, study and series; any other volume's file name (the server's, else ``localName``, the
 * name this tab opened it under) and modality.
 */
export function bannerFields(volume: Pick<VolumeInfo, 'format' | 'modality' | 'header'>, localName?: string | null): BannerField[] {
  const h: VolumeHeader = volume.header ?? {}
  const fields: [BannerField['key'], string, string | null | undefined][] = volume.format === 'dicom'
    ? [
        ['name', 'Patient', h.patient_name && personName(h.patient_name)],
        ['id', 'ID', h.patient_id],
        ['sex', 'Sex', h.patient_sex],
        ['birth', 'Born', h.patient_birth_date && isoDate(h.patient_birth_date)],
        ['study-date', 'Study date', h.study_date && isoDate(h.study_date)],
        ['study', 'Study', h.study_description],
        ['series', 'Series', h.series_description],
        ['modality', 'Modality', h.modality ?? volume.modality],
      ]
    : [
        ['file', 'File', h.file_name ?? localName],
        ['modality', 'Modality', volume.modality],
      ]
  return fields.filter((f): f is [BannerField['key'], string, string] => !!f[2]?.trim())
    .map(([key, label, value]) => ({ key, label, value: value.trim() }))
}
