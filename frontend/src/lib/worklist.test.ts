import { describe, expect, it } from 'vitest'
import type { DicomSendInfo, DicomSeriesInfo } from '../api/types'
import { activeJobIds, clock, fetchPage, newerPage, olderPage, pageStart, sendWords, seriesStateWords, splitPage } from './worklist'

const send = (change: Partial<DicomSendInfo>): DicomSendInfo => ({
  id: 's1', destination: 'tps', format: 'rtstruct', state: 'pending', attempts: 0, next_at: null, last_error: null,
  sent_at: null, tries: 5, ...change,
})
const series = (change: Partial<DicomSeriesInfo>): DicomSeriesInfo => ({
  id: 'a', received: 1_700_000_000, calling_ae: 'CT1', called_ae: 'VOXTELL', modality: 'CT', series_description: 'Pelvis',
  instances: 8, rule: 'pelvis-ct', protocol: 'pelvis-rt', state: 'queued', reason: null, review: 'auto', volume_id: 'v',
  job_id: 'j', project: null, approved_by: null, sends: [], ...change,
})

describe('worklist words', () => {
  it('names each send: waiting, retrying n of N with the next try, sent, failed with the last error', () => {
    expect(sendWords(send({}))).toBe('waiting to send')
    const next = 1_700_000_060
    expect(sendWords(send({ attempts: 2, next_at: next, last_error: 'cannot reach 127.0.0.1:11112' })))
      .toBe(`retrying: try 3 of 5, next ${clock(next)} (cannot reach 127.0.0.1:11112)`)
    expect(sendWords(send({ state: 'sent', attempts: 1, sent_at: next }))).toBe(`sent ${clock(next)}`)
    expect(sendWords(send({ state: 'failed', attempts: 5, last_error: 'no association' })))
      .toBe('failed after 5 tries: no association')
    expect(sendWords(send({ state: 'failed', attempts: 1 }))).toBe('failed after 1 try')
  })
  it('names a series\' state with the server\'s reason', () => {
    expect(seriesStateWords(series({ state: 'review' }))).toBe('waiting for review')
    expect(seriesStateWords(series({ state: 'failed', reason: '1 send(s) failed' }))).toBe('failed: 1 send(s) failed')
    expect(seriesStateWords(series({ state: 'unmatched' }))).toBe('no rule matched')
  })
  it('follows the jobs of series still being segmented only', () => {
    expect(activeJobIds([series({ job_id: 'j1' }), series({ job_id: 'j2', state: 'review' }),
      series({ job_id: null, state: 'unmatched' })])).toEqual(['j1'])
  })
})

describe('worklist pages', () => {
  it('walks older by the last series of each page and back to the newest', () => {
    let pages = olderPage([], 'c')
    pages = olderPage(pages, 'f')
    expect(pageStart(pages)).toBe('f')
    pages = newerPage(pages)
    expect(pageStart(pages)).toBe('c')
    pages = newerPage(newerPage(pages))
    expect(pages).toEqual([])
    expect(pageStart(pages)).toBeNull()
  })
  it('knows an older page exists from the one extra row asked for', () => {
    expect(splitPage([1, 2, 3], 2)).toEqual({ rows: [1, 2], more: true })
    expect(splitPage([1, 2], 2)).toEqual({ rows: [1, 2], more: false })
    expect(splitPage([], 2)).toEqual({ rows: [], more: false })
  })
})

describe('fetchPage: a page of the worklist from the server', () => {
  const gone = new Error('gone')
  const newest = ['s9', 's8', 's7', 's6']
  /** The server: series newest first; a page after a series that is no longer there is refused. */
  const server = async (limit: number, before: string | null) => {
    if (before === 'removed') throw gone
    if (before === 'broken') throw new Error('database unavailable')
    const start = before === null ? 0 : newest.indexOf(before) + 1
    return newest.slice(start, start + limit)
  }
  const isGone = (err: unknown) => err === gone

  it('the page after the one it follows, and whether there is an older one', async () => {
    expect(await fetchPage(server, ['s8'], 2, isGone)).toEqual({ rows: ['s7', 's6'], more: false, fromNewest: false })
    expect(await fetchPage(server, [], 2, isGone)).toEqual({ rows: ['s9', 's8'], more: true, fromNewest: false })
  })
  it('the newest page at once where the series it followed is gone: never an empty list in between', async () => {
    expect(await fetchPage(server, ['s8', 'removed'], 3, isGone)).toEqual({ rows: ['s9', 's8', 's7'], more: true, fromNewest: true })
  })
  it('other failures are the caller\'s', async () => {
    await expect(fetchPage(server, ['broken'], 3, isGone)).rejects.toThrow('database unavailable')
  })
})
