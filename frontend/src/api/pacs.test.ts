import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiClient } from './client'

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
