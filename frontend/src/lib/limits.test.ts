import { describe, expect, it } from 'vitest'
import { limitUpdates, limitValue } from './limits'

const none = { max_queued: null, max_daily_compute_s: null }

describe('a person\'s limits on the admin page', () => {
  it('reads a field: a positive number, empty for the server\'s, NaN otherwise', () => {
    expect(limitValue(' 3600 ')).toBe(3600)
    expect(limitValue('')).toBeNull()
    expect(limitValue('-1')).toBeNaN()
    expect(limitValue('ten')).toBeNaN()
  })

  it('sets the daily compute limit alone, or with the waiting-job limit, in one request', () => {
    expect(limitUpdates(none, '', '3600')).toEqual([{ default_limit: false, max_daily_compute_s: 3600 }])
    expect(limitUpdates(none, '5', '7200')).toEqual([{ default_limit: false, max_queued: 5, max_daily_compute_s: 7200 }])
    expect(limitUpdates({ max_queued: 5, max_daily_compute_s: 7200 }, '5', '7200')).toEqual([])
    expect(limitUpdates({ max_queued: 5, max_daily_compute_s: null }, '5', '60')).toEqual([{ default_limit: false, max_daily_compute_s: 60 }])
  })

  it('empties one limit and keeps the other: both back to the server\'s, then the kept one set again', () => {
    expect(limitUpdates({ max_queued: 5, max_daily_compute_s: 3600 }, '5', '')).toEqual([
      { default_limit: true }, { default_limit: false, max_queued: 5 }])
    expect(limitUpdates({ max_queued: 5, max_daily_compute_s: 3600 }, '', '')).toEqual([{ default_limit: true }])
  })

  it('refuses what is no positive number', () => {
    expect(() => limitUpdates(none, '0', '')).toThrow(/positive number/)
  })
})
