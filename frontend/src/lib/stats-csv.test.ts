import { describe, expect, it } from 'vitest'
import type { JobStatus, VolumeInfo } from '../api/types'
import { csvField, jobStatisticsCsv } from './stats-csv'

const volume = { id: 'v1', modality: 'CT', intensity_unit: 'HU', header: { patient_name: 'Doe^Jane' } } as unknown as VolumeInfo

function job(id: string, created: number, status: string, results: object[], extra: object = {}): JobStatus {
  return { id, created, status, prompts: ['liver', 'left kidney'], results, finished: created + 10, ...extra } as unknown as JobStatus
}

describe('jobStatisticsCsv', () => {
  it('has one row per mask of each finished job, oldest job first, and no patient field', () => {
    const csv = jobStatisticsCsv([{ volume, jobs: [
      job('j2', 200, 'done', [{ index: 0, name: 'Prostate', source: 'model', voxels: 5, volume_ml: 0.5, mean: 40, sd: 2, components: 1 }],
        { protocol: 'pelvis-rt', prompts: ['prostate'] }),
      job('j1', 100, 'done', [
        { index: 0, name: 'liver, checked', source: 'model', voxels: 10, volume_ml: 1.25, mean: 55.5, sd: 3, components: 1 },
        { index: 2, name: 'my "edit"', source: 'edited', voxels: 3, volume_ml: 0.375, mean: null, sd: null, components: 2 }]),
      job('j3', 300, 'running', []),
    ] }])
    const lines = csv.trim().split('\n')
    expect(lines[0]).toBe('volume_id,modality,job_id,finished,protocol,mask,structure,prompt,source,voxels,volume_ml,mean,sd,components,intensity_unit')
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['v1,CT,j1', 'v1,CT,j1', 'v1,CT,j2'])
    expect(lines[1]).toContain(',,0,"liver, checked",liver,model,10,1.25,55.5,3,1,HU')
    expect(lines[2]).toContain(',,2,"my ""edit""",,edited,3,0.375,,,2,HU')
    expect(lines[3]).toContain(',pelvis-rt,0,Prostate,prostate,model,5,0.5,40,2,1,HU')
    expect(csv).not.toContain('Doe')
  })

  it('quotes only what needs it', () => {
    expect([csvField('a'), csvField('a,b'), csvField('x\ny'), csvField(null), csvField(Number.NaN)])
      .toEqual(['a', '"a,b"', '"x\ny"', '', ''])
  })
})
