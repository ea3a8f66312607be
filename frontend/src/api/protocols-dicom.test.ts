import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiClient } from './client'
import { DicomApi } from './dicom'
import { ApiError } from './errors'
import { ProtocolsApi } from './protocols'

interface Sent { url: string; method: string; body: unknown; auth: string | undefined }

/** A fetch that records each request and answers ``answer`` (JSON) with ``status``. */
function recording(answer: unknown = {}, status = 200): Sent[] {
  const sent: Sent[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
    const headers = init?.headers as Record<string, string> | undefined
    sent.push({ url, method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : undefined,
      auth: headers?.Authorization })
    return status === 204 ? new Response(null, { status }) : new Response(JSON.stringify(answer), { status })
  }))
  return sent
}

afterEach(() => vi.unstubAllGlobals())

describe('protocols and DICOM node requests', () => {
  const api = new ApiClient('http://server', 'k')
  it('runs a protocol as {volume_id, protocol}, with the credential', async () => {
    const sent = recording({ id: 'j1' })
    await new ProtocolsApi(api).run('v1', 'pelvis-rt')
    expect(sent).toEqual([{ url: 'http://server/api/jobs', method: 'POST', body: { volume_id: 'v1', protocol: 'pelvis-rt' },
      auth: 'Bearer k' }])
  })
  it('writes and deletes a protocol by its id', async () => {
    const sent = recording({})
    const body = { name: 'P', description: '', modality: null, structures: [{ prompt: 'liver', name: 'Liver',
      color: [1, 2, 3] as [number, number, number], interpreted_type: 'ORGAN' as const, keep_largest_component: false,
      fill_holes: false }] }
    await new ProtocolsApi(api).put('my protocol', body)
    expect(sent[0]).toMatchObject({ url: 'http://server/api/protocols/my%20protocol', method: 'PUT', body })
    recording(null, 204)
    await expect(new ProtocolsApi(api).remove('p')).resolves.toBeUndefined()
  })
  it('carries the server\'s words of a refused save', async () => {
    recording({ detail: "protocol p: structure name 'Liver' is used twice" }, 409)
    const err = await new ProtocolsApi(api).put('p', { name: 'P', description: '', structures: [] }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(409)
    expect((err as ApiError).message).toBe("protocol p: structure name 'Liver' is used twice")
  })
  it('reads the worklist, approves a series and re-sends a send', async () => {
    const sent = recording([])
    const dicom = new DicomApi(api)
    await dicom.series(50)
    await dicom.approve('s/1')
    await dicom.node()
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 202 }))) // the server's: no body
    await expect(dicom.resend('d1')).resolves.toBeUndefined()
    expect(sent.map((s) => [s.method, s.url])).toEqual([['GET', 'http://server/api/dicom/series?limit=50'],
      ['POST', 'http://server/api/dicom/series/s%2F1/approve'], ['GET', 'http://server/api/dicom/node']])
  })
})
