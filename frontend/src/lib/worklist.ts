/** The DICOM worklist in words: each series' state and each destination's send. */

import type { DicomSendInfo, DicomSeriesInfo, DicomSeriesState } from '../api/types'

const STATE_WORDS: Record<DicomSeriesState, string> = {
  unmatched: 'no rule matched',
  refused: 'refused',
  queued: 'segmenting',
  review: 'waiting for review',
  sending: 'sending',
  done: 'sent',
  failed: 'failed',
}

/** A series' state in words, with the server's reason where it gave one ("failed: 1 send(s) failed"). */
export function seriesStateWords(series: Pick<DicomSeriesInfo, 'state' | 'reason'>): string {
  const words = STATE_WORDS[series.state] ?? series.state
  return series.reason ? `${words}: ${series.reason}` : words
}

/** A clock time (local, with seconds) of server seconds since the epoch. */
export function clock(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

/** Date and time of server seconds since the epoch. */
export function dateTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' })
}

/** One destination's send in words: "sent 14:02:11", "retrying: try 2 of 5, next 14:03:00"
 * (a first try not made yet: "waiting to send"), "failed after 5 tries: <last error>". */
export function sendWords(send: DicomSendInfo): string {
  if (send.state === 'sent') return send.sent_at ? `sent ${clock(send.sent_at)}` : 'sent'
  if (send.state === 'failed') {
    const tries = `failed after ${send.attempts} ${send.attempts === 1 ? 'try' : 'tries'}`
    return send.last_error ? `${tries}: ${send.last_error}` : tries
  }
  if (send.attempts === 0) return 'waiting to send'
  const next = send.next_at ? `, next ${clock(send.next_at)}` : ''
  const error = send.last_error ? ` (${send.last_error})` : ''
  return `retrying: try ${send.attempts + 1} of ${send.tries}${next}${error}`
}

/** Series whose job is still to be followed: queued with a job (the job may be running). */
export function activeJobIds(series: DicomSeriesInfo[]): string[] {
  return series.filter((s) => s.state === 'queued' && s.job_id).map((s) => s.job_id as string)
}

/** Rows per worklist page the user can choose. */
export const PAGE_SIZES = [20, 50, 100, 200] as const

/**
 * Which page of the worklist is shown: the ids of the last series of each page before it (empty: the
 * newest page). A page is asked for by the series it follows (``before``), so series arriving
 * meanwhile join the newest page and shift no other.
 */
export type WorklistPages = readonly string[]

/** The page after the one shown, which ended with the series ``lastId``. */
export function olderPage(pages: WorklistPages, lastId: string): WorklistPages {
  return [...pages, lastId]
}

/** The page before the one shown (the newest stays the newest). */
export function newerPage(pages: WorklistPages): WorklistPages {
  return pages.slice(0, -1)
}

/** The series the page shown follows (null: the newest page). */
export function pageStart(pages: WorklistPages): string | null {
  return pages.length ? pages[pages.length - 1] : null
}

/** One more row than the page holds is asked for: whether an older page exists, without a count. */
export function splitPage<T>(rows: T[], size: number): { rows: T[]; more: boolean } {
  return { rows: rows.slice(0, size), more: rows.length > size }
}

/**
 * The rows of the page shown (one more asked for: ``more``), or, where the series the page follows
 * is gone (``isGone`` of the server's answer: removed meanwhile), the newest page at once with
 * ``fromNewest`` — so the worklist never shows an empty list ("no series received yet") in between.
 */
export async function fetchPage<T>(fetch: (limit: number, before: string | null) => Promise<T[]>, pages: WorklistPages,
  size: number, isGone: (err: unknown) => boolean): Promise<{ rows: T[]; more: boolean; fromNewest: boolean }> {
  const before = pageStart(pages)
  try {
    return { ...splitPage(await fetch(size + 1, before), size), fromNewest: false }
  } catch (err) {
    if (before === null || !isGone(err)) throw err
    return { ...splitPage(await fetch(size + 1, null), size), fromNewest: true }
  }
}
