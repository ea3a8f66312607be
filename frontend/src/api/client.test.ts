import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiClient } from './client'
import { ApiError } from './errors'
import { statusFromEvent } from './sse'
import type { JobStatus } from './types'
import { moveHighlight } from '../lib/keys'

const job = (status: JobStatus['status'], done = 0): JobStatus => ({
  id: 'j1', volume_id: 'v1', status, prompts: ['liver'], options: {}, queue_position: null, done, total: 4,
  eta_s: null, error: null, results: [], created: 0, started: null, finished: null,
  phase: status === 'running' ? 'segmenting' : status,
})

function sseResponse(...statuses: JobStatus[]): Response {
  return new Response(statuses.map((s) => `data: ${JSON.stringify(s)}\n\n`).join(''), {
    headers: { 'Content-Type': 'text/event-stream' },
  })
}

afterEach(() => vi.unstubAllGlobals())

describe('API client', () => {
  it('maps an HTTP error to ApiError with the server detail', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ detail: 'volume not found' }), { status: 404 })))
    const err = await new ApiClient().volume('nope').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(404)
    expect((err as ApiError).message).toBe('volume not found')
  })
  it('flags 401 as needing an API key and sends the key once set', async () => {
    const fetchMock = vi.fn(async (_url: string, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string> | undefined)?.Authorization
      return auth === 'Bearer s3cret'
        ? new Response(JSON.stringify({ model_name: 'm', demo: false }), { status: 200 })
        : new Response(JSON.stringify({ detail: 'missing or wrong API key' }), { status: 401 })
    })
    vi.stubGlobal('fetch', fetchMock)
    const api = new ApiClient('http://server:8000')
    const err = await api.info().catch((e: unknown) => e)
    expect((err as ApiError).needsApiKey).toBe(true)
    api.apiKey = 's3cret'
    expect((await api.info()).model_name).toBe('m')
    expect(fetchMock.mock.calls[0][0]).toBe('http://server:8000/api/info')
  })
  it('reports an unreachable server as status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))
    const err = await new ApiClient().info().catch((e: unknown) => e)
    expect((err as ApiError).status).toBe(0)
    expect((err as ApiError).message).toMatch(/cannot be reached/)
  })
  it('re-opens a progress stream that ends before the job does', async () => {
    const streams = [sseResponse(job('running', 1)), sseResponse(job('running', 3), job('done', 4))]
    const fetchMock = vi.fn(async () => streams.shift() ?? new Response('', { status: 500 }))
    vi.stubGlobal('fetch', fetchMock)
    const seen: string[] = []
    await new ApiClient().followJob('j1', (s) => seen.push(`${s.status}:${s.done}`))
    expect(seen).toEqual(['running:1', 'running:3', 'done:4'])
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })
})

describe('API client: results and exports (issue 14)', () => {
  it('renames and recolours with PATCH, saves with a colour, exports the masks of a case in one request', async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => new Response(JSON.stringify(job('done')), { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    const api = new ApiClient('http://s')
    await api.patchMask('j 1', 2, { name: 'liver (checked)', color: [1, 2, 3] })
    expect(fetchMock.mock.calls[0][0]).toBe('http://s/api/jobs/j%201/masks/2')
    expect(fetchMock.mock.calls[0][1]?.method).toBe('PATCH')
    expect(JSON.parse(String(fetchMock.mock.calls[0][1]?.body))).toEqual({ name: 'liver (checked)', color: [1, 2, 3] })
    await api.saveEditedMask('j1', new Uint8Array([1, 2]), 'edited', [10, 20, 30])
    const form = fetchMock.mock.calls[1][1]?.body as FormData
    expect([form.get('name'), form.get('color')]).toEqual(['edited', '10,20,30'])
    // Sent gzipped (the server reads gzip by its first bytes).
    const sent = new Uint8Array(await (form.get('file') as Blob).arrayBuffer())
    expect(Array.from(sent.slice(0, 2))).toEqual([0x1f, 0x8b])
    const back = new Blob([sent]).stream().pipeThrough(new DecompressionStream('gzip'))
    expect(Array.from(new Uint8Array(await new Response(back).arrayBuffer()))).toEqual([1, 2])
    await api.exportCase('v 1', 'seg', [{ job: 'j2', mask: 0 }, { job: 'j1', mask: 3 }])
    expect(fetchMock.mock.calls[2][0]).toBe('http://s/api/volumes/v%201/export')
    expect(fetchMock.mock.calls[2][1]?.method).toBe('POST')
    expect(JSON.parse(String(fetchMock.mock.calls[2][1]?.body)))
      .toEqual({ format: 'seg', masks: [{ job: 'j2', mask: 0 }, { job: 'j1', mask: 3 }] })
  })
})

describe('SSE events to job status', () => {
  it('parses messages, ignores unknown events and raises error events', () => {
    expect(statusFromEvent({ event: 'message', data: JSON.stringify(job('queued')) })?.status).toBe('queued')
    expect(statusFromEvent({ event: 'ping', data: '{}' })).toBeNull()
    expect(() => statusFromEvent({ event: 'error', data: '{"detail": "job not found"}' })).toThrow('job not found')
    expect(() => statusFromEvent({ event: 'error', data: 'oops' })).toThrow('the progress stream failed')
  })
})

describe('suggestion keyboard navigation', () => {
  it('wraps around and resets', () => {
    expect(moveHighlight(-1, 3, 'ArrowDown')).toBe(0)
    expect(moveHighlight(2, 3, 'ArrowDown')).toBe(0)
    expect(moveHighlight(-1, 3, 'ArrowUp')).toBe(2)
    expect(moveHighlight(1, 3, 'Escape')).toBe(-1)
    expect(moveHighlight(1, 0, 'ArrowDown')).toBe(-1)
    expect(moveHighlight(1, 3, 'a')).toBe(1)
  })
})
