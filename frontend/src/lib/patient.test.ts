import { describe, expect, it } from 'vitest'
import { bannerFields, isoDate, personName } from './patient'

describe('patient banner words', () => {
  it('reads a DICOM person name with commas', () => {
    expect(personName('Doe^Jane')).toBe('Doe, Jane')
    expect(personName('Doe^Jane^Mary^Dr^')).toBe('Doe, Jane, Mary, Dr')
    expect(personName('Yamada^Tarou=山田^太郎')).toBe('Yamada, Tarou')
    expect(personName('Anonymous')).toBe('Anonymous')
  })

  it('writes DICOM dates as YYYY-MM-DD', () => {
    expect(isoDate('20240105')).toBe('2024-01-05')
    expect(isoDate('2024.01.05')).toBe('2024-01-05')
    expect(isoDate('2024-01-05')).toBe('2024-01-05')
    expect(isoDate('unknown')).toBe('unknown')
  })

  it('lists a DICOM volume\'s patient, study and series in reading order, empty fields left out', () => {
    const fields = bannerFields({ format: 'dicom', modality: 'CT', header: {
      patient_name: 'Doe^Jane', patient_id: 'PHI-123', patient_sex: 'F', patient_birth_date: '19610714',
      study_date: '2024-01-05', study_description: 'CT THORAX', series_description: ' ', modality: 'CT' } }, 'study.zip')
    expect(fields.map((f) => [f.key, f.value])).toEqual([['name', 'Doe, Jane'], ['id', 'PHI-123'], ['sex', 'F'],
      ['birth', '1961-07-14'], ['study-date', '2024-01-05'], ['study', 'CT THORAX'], ['modality', 'CT']])
  })

  it('names a NIfTI by the server\'s file name, else the name this tab opened it under', () => {
    expect(bannerFields({ format: 'nifti', modality: null, header: { file_name: 'a.nii.gz' } }, 'b.nii.gz'))
      .toEqual([{ key: 'file', label: 'File', value: 'a.nii.gz' }])
    expect(bannerFields({ format: 'nrrd', modality: 'CT', header: null }, 'b.nrrd').map((f) => f.value))
      .toEqual(['b.nrrd', 'CT'])
    expect(bannerFields({ format: 'nifti', header: null })).toEqual([])
  })
})
