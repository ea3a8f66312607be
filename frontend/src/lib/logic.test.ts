import { describe, expect, it } from 'vitest'
import { ApiError, messageFor } from '../api/errors'
import { SseParser } from '../api/sse'
import { assignColorSlots, cssColor, hslToRgb, maskColor } from './colors'
import { formatCount, formatEta, formatIntensity, formatVolumeMl, progressFraction } from './format'
import { loadSession, saveSession } from './session'

describe('mask colours', () => {
  it('are distinct for the first dozen masks', () => {
    const colours = Array.from({ length: 12 }, (_, i) => maskColor(i))
    for (let i = 0; i < colours.length; i++) {
      for (let j = i + 1; j < colours.length; j++) {
        const d = Math.hypot(...colours[i].map((c, k) => c - colours[j][k]))
        expect(d, `masks ${i} and ${j}`).toBeGreaterThan(40)
      }
    }
  })
  it('keep their slot when other masks are deleted, and never reuse one', () => {
    const first = assignColorSlots(['j1-0', 'j1-1', 'j1-2'], {})
    expect(first).toEqual({ 'j1-0': 0, 'j1-1': 1, 'j1-2': 2 })
    expect(assignColorSlots(['j1-0', 'j1-2'], first)).toBe(first)  // nothing new: same object
    // j1-1 deleted, an edited mask and a second job arrive: fresh slots after the highest one
    const later = assignColorSlots(['j1-0', 'j1-2', 'j1-3', 'j2-0'], { 'j1-0': 0, 'j1-2': 2 })
    expect(later).toEqual({ 'j1-0': 0, 'j1-2': 2, 'j1-3': 3, 'j2-0': 4 })
  })
  it('convert HSL correctly', () => {
    expect(hslToRgb(0, 1, 0.5)).toEqual([255, 0, 0])
    expect(hslToRgb(120, 1, 0.5)).toEqual([0, 255, 0])
    expect(cssColor([1, 2, 3])).toBe('rgb(1, 2, 3)')
  })
})

describe('formatting', () => {
  it('formats volumes with sensible units', () => {
    expect(formatVolumeMl(0)).toBe('0 mL')
    expect(formatVolumeMl(0.05)).toBe('50.0 mm³')
    expect(formatVolumeMl(1.234)).toBe('1.23 mL')
    expect(formatVolumeMl(1480.2)).toBe('1.48 L')
    expect(formatCount(1234567)).toBe('1,234,567')
  })
  it('formats intensity inside a mask', () => {
    expect(formatIntensity(null, null)).toBe('')
    expect(formatIntensity(57.14, 12.33)).toBe('mean 57.1 ± 12.3')
    expect(formatIntensity(-812.4, 40.2)).toBe('mean -812 ± 40')
    expect(formatIntensity(3, null)).toBe('mean 3.0')
  })
  it('formats ETA and progress', () => {
    expect(formatEta(null)).toBe('')
    expect(formatEta(0.2)).toBe('< 1 s left')
    expect(formatEta(42.4)).toBe('42 s left')
    expect(formatEta(600)).toBe('10 min left')
    expect(progressFraction(3, 8)).toBe(0.375)
    expect(progressFraction(3, 0)).toBe(0)
  })
})

describe('SSE parsing', () => {
  it('assembles events across chunk boundaries', () => {
    const parser = new SseParser()
    expect(parser.feed('data: {"a"')).toEqual([])
    expect(parser.feed(': 1}\n\ndata: x\r\n\r\nevent: error\ndata: {"detail": "gone"}\n')).toEqual([
      { event: 'message', data: '{"a": 1}' },
      { event: 'message', data: 'x' },
    ])
    expect(parser.feed('\n')).toEqual([{ event: 'error', data: '{"detail": "gone"}' }])
  })
  it('joins multi-line data and ignores comments', () => {
    expect(new SseParser().feed(': keep-alive\n\ndata: a\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb' }])
  })
})

describe('API error mapping', () => {
  it('prefers the server detail', () => {
    expect(messageFor(422, { detail: 'only 3-D images are supported' })).toBe('only 3-D images are supported')
  })
  it('has clear fallbacks by status', () => {
    expect(messageFor(401, null)).toMatch(/API key/)
    expect(messageFor(413, {})).toMatch(/larger than the server accepts/)
    expect(messageFor(429, null)).toMatch(/busy/)
    expect(messageFor(502, null)).toBe('The server failed (HTTP 502).')
    expect(messageFor(0, null)).toMatch(/cannot be reached/)
    expect(new ApiError(401, 'x').needsApiKey).toBe(true)
  })
})

describe('session persistence', () => {
  it('round-trips and survives garbage', () => {
    const store = new Map<string, string>()
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) }
    const session = { volumeId: 'v1', jobIds: ['j1'], hidden: [], names: { 'j1-0': 'liver' }, opacity: { 'j1-0': 0.3 },
      colors: { 'j1-0': 0 } }
    saveSession(storage, session)
    expect(loadSession(storage)).toEqual(session)
    store.set('voxtell-web-session', JSON.stringify({ ...session, opacity: { a: 2, b: 'x', c: 0.5 } }))
    expect(loadSession(storage).opacity).toEqual({ c: 0.5 })
    store.set('voxtell-web-session', JSON.stringify({ ...session, colors: { a: -1, b: 1.5, c: 'x', d: 4 } }))
    expect(loadSession(storage).colors).toEqual({ d: 4 })
    const { colors: _, ...older } = session  // saved by a version without colour slots
    store.set('voxtell-web-session', JSON.stringify(older))
    expect(loadSession(storage).colors).toEqual({})
    store.set('voxtell-web-session', '{not json')
    expect(loadSession(storage).volumeId).toBeNull()
  })
})
