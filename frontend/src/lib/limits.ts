/**
 * A person's own limits as the admin page edits them: waiting jobs and compute seconds per UTC day,
 * each a number or empty (the server's). The server can put both back to its own at once
 * (``default_limit``) and set either: emptying one field while keeping the other takes two requests.
 */

import type { UserInfo, UserUpdate } from '../api/types'

/** A limit field's number, or null when empty; NaN when it is no positive number. */
export function limitValue(text: string): number | null {
  const trimmed = text.trim()
  if (!trimmed) return null
  const value = Number(trimmed)
  return Number.isFinite(value) && value > 0 ? value : NaN
}

/** The PATCH bodies (in order) that give ``user`` these limits; none when nothing changes. */
export function limitUpdates(user: Pick<UserInfo, 'max_queued' | 'max_daily_compute_s'>, queued: string,
  daily: string): UserUpdate[] {
  const q = limitValue(queued)
  const d = limitValue(daily)
  if (Number.isNaN(q) || Number.isNaN(d)) throw new Error('a limit is a positive number, or empty for the server\'s')
  const updates: UserUpdate[] = []
  const cleared = (q === null && user.max_queued !== null) || (d === null && user.max_daily_compute_s !== null)
  if (cleared) updates.push({ default_limit: true })
  const set: UserUpdate = { default_limit: false }
  if (q !== null && (cleared || q !== user.max_queued)) set.max_queued = q
  if (d !== null && (cleared || d !== user.max_daily_compute_s)) set.max_daily_compute_s = d
  if (set.max_queued !== undefined || set.max_daily_compute_s !== undefined) updates.push(set)
  return updates
}
