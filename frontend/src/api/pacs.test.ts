import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiClient } from './client'
import { sendQuestion } from '../components/PacsPanel'
import type { PacsStudy } from './types'

afterEach(() => vi.unstubAllGlobals())

describe('PACS client', () => {
  it('sends only the filled search fields, trimmed', async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => new Response('[]', { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    await new ApiClient('', 'k').pacsStudies({ patient_name: ' doe ', patient_id: '', modality: 'CT' })
    const url = new URL(fetchMock.mock.calls[0][0], 'http://x')
    expect(url.pathname).toBe('/api/pacs/studies')
    expect(Object.fromEntries(url.searchParams)).toEqual({ limit: '50', patient_name: 'doe', modality: 'CT' })
    expect((fetchMock.mock.calls[0][1]?.headers as Record<string, string>).Authorization).toBe('Bearer k')
  })

  it('stores a job result and reports the archive error in words', async () => {
    vi.stubGlobal('fetch', vi.fn(async (_url: string, init?: RequestInit) => {
      expect(JSON.parse(String(init?.body))).toEqual({ format: 'rtstruct', mask: 1 })
      return new Response(JSON.stringify({ detail: 'the PACS cannot be reached (storing the result); is it running?' }),
        { status: 502 })
    }))
    await expect(new ApiClient().pacsStore('job1', 'rtstruct', 1)).rejects.toThrow(/cannot be reached/)
  })
})

describe('Send to PACS confirmation', () => {
  const study: PacsStudy = { study_uid: '1.2.3', study_date: '20240517', study_time: '', description: 'CT abdomen',
    accession_number: '', modalities: ['CT'], series_count: 2, instance_count: 20, patient_name: 'Doe^Jane',
    patient_id: 'X' }

  it('names the object, the mask count and the study', () => {
    expect(sendQuestion('seg', 2, study)).toBe(
      'Send a DICOM SEG of 2 masks to the PACS as a new series in study “CT abdomen” (Doe Jane, 2024-05-17, 1.2.3)?')
    expect(sendQuestion('rtstruct', 1, null)).toBe(
      'Send an RTSTRUCT of 1 mask to the PACS as a new series in the study of the DICOM series it was made from?')
  })
})
