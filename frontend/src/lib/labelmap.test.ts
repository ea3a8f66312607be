import { describe, expect, it } from 'vitest'
import { ComboLabels, rasIndices, rasLookup, type MaskLook } from './labelmap'

const look = (key: string, color: [number, number, number], opacity = 1, visible = true): MaskLook =>
  ({ key, color, opacity, visible })
const rgba = (lut: Uint8ClampedArray, value: number) => Array.from(lut.slice(value * 4, value * 4 + 4))

describe('ComboLabels', () => {
  it('keeps every member of overlapping masks and takes one off without touching the other', () => {
    const bitmap = new Uint8Array(6)
    const labels = new ComboLabels(bitmap)
    labels.add('a', Uint32Array.of(0, 1, 2))
    labels.add('b', Uint32Array.of(2, 3))
    expect(labels.membersOf(bitmap[0])).toEqual(['a'])
    expect(labels.membersOf(bitmap[2])).toEqual(['a', 'b'])
    expect(labels.membersOf(bitmap[3])).toEqual(['b'])
    expect(bitmap[4]).toBe(0)
    expect(labels.used()).toBe(3)
    labels.remove('a', Uint32Array.of(0, 1, 2))
    expect(Array.from(bitmap).map((v) => labels.membersOf(v))).toEqual([[], [], ['b'], ['b'], [], []])
    expect(bitmap[2]).toBe(bitmap[3]) // one value for one set of masks
    expect(labels.used()).toBe(1) // {a} and {a, b} freed
  })

  it('colours each combination from the looks: hidden masks drop out, later masks are on top', () => {
    const bitmap = new Uint8Array(3)
    const labels = new ComboLabels(bitmap)
    labels.add('a', Uint32Array.of(0, 1))
    labels.add('b', Uint32Array.of(1, 2))
    const looks = [look('a', [255, 0, 0]), look('b', [0, 0, 255], 0.5)]
    let lut = labels.lut(looks)
    expect(rgba(lut, bitmap[0])).toEqual([255, 0, 0, 255])
    expect(rgba(lut, bitmap[2])).toEqual([0, 0, 255, 128])
    expect(rgba(lut, bitmap[1])).toEqual([128, 0, 128, 255]) // b at half over a
    expect(rgba(lut, 0)).toEqual([0, 0, 0, 0])
    lut = labels.lut([look('a', [255, 0, 0], 1, false), looks[1]])
    expect(rgba(lut, bitmap[0])[3]).toBe(0)
    expect(rgba(lut, bitmap[1])).toEqual([0, 0, 255, 128])
    lut = labels.lut([looks[1], looks[0]]) // a drawn last: on top, opaque
    expect(rgba(lut, bitmap[1])).toEqual([255, 0, 0, 255])
    lut = labels.lut(looks, { 1: [9, 8, 7, 200] }, 0.5)
    expect(rgba(lut, 1)).toEqual([9, 8, 7, 200])
    expect(rgba(lut, bitmap[0])).toEqual([255, 0, 0, 128])
  })

  it('says when the values run out, and keeps what the voxels meant', () => {
    const bitmap = new Uint8Array(300)
    const labels = new ComboLabels(bitmap)
    for (let i = 0; i < 253; i++) labels.add(`m${i}`, Uint32Array.of(i))
    expect(labels.overflow).toBe(false)
    labels.add('late', Uint32Array.of(290))
    expect(labels.overflow).toBe(true)
    expect([...labels.partial()]).toEqual(['late'])
    expect(bitmap[290]).toBe(0)
    expect(labels.membersOf(bitmap[5])).toEqual(['m5'])
    labels.remove('m5', Uint32Array.of(5)) // frees a value
    labels.add('late', Uint32Array.of(290))
    expect(labels.membersOf(bitmap[290])).toEqual(['late'])
    expect(labels.overflow).toBe(false) // whole now
    labels.add('late2', Uint32Array.of(291))
    expect([...labels.partial()]).toEqual(['late2'])
    labels.remove('late2', Uint32Array.of(291))
    expect(labels.overflow).toBe(false) // gone, so nothing of it is missing
  })
})

describe('rasLookup / rasIndices', () => {
  it('maps file voxels to NiiVue\'s RAS order, flipping and permuting axes', () => {
    // dims 3×2×2; RAS axis 0 is file x flipped (LAS), RAS 1 is file z, RAS 2 is file y.
    const dims = [3, 3, 2, 2]
    const lookup = rasLookup([-1, 3, 2], dims)
    // RAS dims are [3, 2 (file z), 2 (file y)]: index = (2 - x) + 3 * z + 6 * y
    const img = new Uint8Array(12)
    img[1 + 0 * 3 + 1 * 6] = 1 // x=1, y=0, z=1
    img[0 + 1 * 3 + 0 * 6] = 1 // x=0, y=1, z=0
    expect(Array.from(rasIndices(img, [3, 2, 2], lookup)).sort((a, b) => a - b)).toEqual([(2 - 1) + 3 * 1 + 6 * 0, (2 - 0) + 3 * 0 + 6 * 1])
    expect(Array.from(rasIndices(img, [3, 2, 2], lookup, [[0, 1], [0, 2], [0, 2]]))).toEqual([2 + 6])
  })
})
