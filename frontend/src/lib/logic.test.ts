import { describe, expect, it } from 'vitest'
import { ApiError, messageFor } from '../api/errors'
import { SseParser } from '../api/sse'
import { cssColor, hexColor, hslToRgb, maskColor, rgbFromHex } from './colors'
import { formatCount, formatEta, formatIntensity, formatMm, formatValue, formatVolumeMl, progressFraction } from './format'

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
  it('are the palette the server uses (golden-angle hues)', () => {
    expect(maskColor(0)).toEqual(hslToRgb(10, 0.85, 0.55))
    expect(maskColor(1)).toEqual(hslToRgb(147.508, 0.85, 0.55))
  })
  it('convert HSL correctly', () => {
    expect(hslToRgb(0, 1, 0.5)).toEqual([255, 0, 0])
    expect(hslToRgb(120, 1, 0.5)).toEqual([0, 255, 0])
    expect(cssColor([1, 2, 3])).toBe('rgb(1, 2, 3)')
    expect(hexColor([255, 8, 171])).toBe('#ff08ab')
    expect(rgbFromHex('#ff08AB')).toEqual([255, 8, 171])
    expect(rgbFromHex('red')).toEqual([0, 0, 0])
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
  it('rounds the readout and names the unit', () => {
    expect(formatMm([-5.597598075866699, 0.04, 120])).toBe('-5.6, 0.0, 120.0')
    expect(formatValue(-5.597598075866699, null)).toBe('-5.60')
    expect(formatValue(40, 'HU')).toBe('40 HU')
    expect(formatValue(1234.56, null)).toBe('1235')
    expect(formatValue(12.345, null)).toBe('12.3')
    expect(formatValue(0.0123456, null)).toBe('0.0123')
    expect(formatValue(null, 'HU')).toBe('–')
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
