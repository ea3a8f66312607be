import { describe, expect, it } from 'vitest'
import type { ProtocolInfo } from '../api/types'
import { edited, protocolBody, withNewStructure, withStructure, withoutStructure } from './protocol-edit'

const info: ProtocolInfo = {
  id: 'pelvis-rt', name: 'Male pelvis RT (CT)', description: 'drafts', modality: 'CT', shipped: true, updated: 1,
  updated_by: null, warnings: ['SeminalVes: …'],
  structures: [
    { prompt: 'prostate', name: 'Prostate', color: [0, 151, 206], interpreted_type: 'ORGAN', keep_largest_component: true, fill_holes: false },
    { prompt: 'rectum', name: 'Rectum', color: [150, 80, 30], interpreted_type: 'ORGAN', keep_largest_component: true, fill_holes: false },
  ],
}

describe('protocol editing', () => {
  it('sends only what PUT takes: no id, warnings or history', () => {
    const body = protocolBody(info)
    expect(Object.keys(body).sort()).toEqual(['description', 'modality', 'name', 'structures'])
    expect(body.structures).toEqual(info.structures)
    expect(edited(body, info)).toBe(false)
  })
  it('changes, adds and removes structures without touching the listed protocol', () => {
    const body = withStructure(protocolBody(info), 1, { name: 'Rectum_Wall', interpreted_type: 'AVOIDANCE', color: [1, 2, 3] })
    expect(body.structures[1]).toMatchObject({ prompt: 'rectum', name: 'Rectum_Wall', interpreted_type: 'AVOIDANCE', color: [1, 2, 3] })
    expect(info.structures[1].name).toBe('Rectum')
    expect(edited(body, info)).toBe(true)
    const grown = withNewStructure(body, [9, 9, 9])
    expect(grown.structures).toHaveLength(3)
    expect(grown.structures[2]).toEqual({ prompt: '', name: '', color: [9, 9, 9], interpreted_type: 'ORGAN',
      keep_largest_component: false, fill_holes: false })
    expect(withoutStructure(grown, 0).structures.map((s) => s.name)).toEqual(['Rectum_Wall', ''])
  })
})
