import { describe, expect, it } from 'vitest'
import { distanceMm, loadMeasurements, measurementsCsv, roiStats, roiVoxels, sameSlice, saveMeasurements,
  type MeasurePoint, type Measurement } from './measurements'

const p = (vox: [number, number, number], plane: 0 | 1 | 2 = 0): MeasurePoint => ({ vox, mm: [vox[0], vox[1], vox[2] * 2], plane })

describe('measurements', () => {
  it('distance between voxel centres in mm', () => {
    expect(distanceMm([0, 0, 0], [3, 4, 0])).toBe(5)
    expect(distanceMm(p([1, 1, 1]).mm, p([1, 1, 4]).mm)).toBe(6)
  })

  it('an axial ROI: the rectangle on the first corner\'s slice', () => {
    const a = p([2, 5, 7])
    const b = p([4, 3, 7])
    expect(sameSlice(a, b)).toBe(true)
    expect(sameSlice(a, p([4, 3, 8]))).toBe(false)
    expect(sameSlice(p([2, 5, 7], 2), p([2, 1, 1], 2)), 'sagittal: R fixed').toBe(true)
    const voxels = [...roiVoxels(a, b)]
    expect(voxels).toHaveLength(9)
    expect(voxels.every((v) => v[2] === 7)).toBe(true)
    const stats = roiStats(a, b, (v) => v[0] * 10, 0.5)
    expect(stats).toEqual({ n: 9, mean: 30, sd: expect.closeTo(Math.sqrt(200 / 3), 9), min: 20, max: 40, areaMm2: 4.5 })
  })

  it('kept per case, unreadable entries dropped; CSV', () => {
    const store = new Map<string, string>()
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => { store.set(k, v) },
      removeItem: (k: string) => { store.delete(k) } }
    const list: Measurement[] = [
      { id: 1, kind: 'distance', a: p([0, 0, 1]), b: p([3, 4, 1]), mm: 5 },
      { id: 2, kind: 'roi', a: p([0, 0, 1]), b: p([1, 1, 1]), stats: { n: 4, mean: 40, sd: 0, min: 40, max: 40, areaMm2: 4 } },
    ]
    saveMeasurements(storage, 'v1', list)
    expect(loadMeasurements(storage, 'v1')).toEqual(list)
    expect(loadMeasurements(storage, 'v2')).toEqual([])
    store.set('voxtell-web-measurements:v3', JSON.stringify([{ id: 1, kind: 'distance', a: {}, b: {}, mm: 1 }, 'x']))
    expect(loadMeasurements(storage, 'v3')).toEqual([])
    saveMeasurements(storage, 'v1', [])
    expect(store.size).toBe(1)
    const csv = measurementsCsv(list, 'HU').trim().split('\n')
    expect(csv[0]).toBe('id,kind,plane,slice,a_x_mm,a_y_mm,a_z_mm,b_x_mm,b_y_mm,b_z_mm,distance_mm,voxels,area_mm2,mean,sd,min,max,unit')
    expect(csv[1]).toBe('1,distance,axial,1,0.00,0.00,2.00,3.00,4.00,2.00,5.00,,,,,,,')
    expect(csv[2]).toBe('2,roi,axial,1,0.00,0.00,2.00,1.00,1.00,2.00,,4,4.00,40.00,0.00,40.00,40.00,HU')
  })
})
