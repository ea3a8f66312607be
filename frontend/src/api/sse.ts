import { ApiError } from './errors'
import type { JobStatus } from './types'

/** Incremental Server-Sent Events parser (fetch-based streams can carry an Authorization header,
 * which EventSource cannot). */

export interface SseEvent {
  event: string
  data: string
}

export class SseParser {
  private buffer = ''

  /** Feed a chunk of text; returns the events completed by it. */
  feed(chunk: string): SseEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n')
    const events: SseEvent[] = []
    let boundary = this.buffer.indexOf('\n\n')
    while (boundary !== -1) {
      const block = this.buffer.slice(0, boundary)
      this.buffer = this.buffer.slice(boundary + 2)
      const parsed = parseBlock(block)
      if (parsed) events.push(parsed)
      boundary = this.buffer.indexOf('\n\n')
    }
    return events
  }
}

function parseBlock(block: string): SseEvent | null {
  let event = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  return data.length ? { event, data: data.join('\n') } : null
}

/** A job status from a `message` event; an `error` event becomes an ApiError with the server's
 * `detail`; other event types are ignored (null). */
export function statusFromEvent(event: SseEvent): JobStatus | null {
  if (event.event === 'error') {
    let detail = 'the progress stream failed'
    try {
      const body = JSON.parse(event.data) as { detail?: unknown }
      if (typeof body.detail === 'string' && body.detail) detail = body.detail
    } catch {
      // not JSON: keep the generic message
    }
    throw new ApiError(404, detail)
  }
  if (event.event !== 'message') return null
  return JSON.parse(event.data) as JobStatus
}
