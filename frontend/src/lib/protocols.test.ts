import { describe, expect, it } from 'vitest'
import type { ProtocolInfo } from '../api/types'
import { groupProtocols } from './protocols'

const protocol = (id: string, name: string, modality: ProtocolInfo['modality']): ProtocolInfo => ({
  id, name, modality, description: '', structures: [], warnings: [], shipped: true, updated: 0, updated_by: null,
})
const all = [protocol('brain-mr', 'Brain (MR)', 'MR'), protocol('thorax-rt', 'Thorax RT', 'CT'),
  protocol('pelvis-rt', 'Male pelvis RT', 'CT'), protocol('any', 'Anything', null)]

describe('groupProtocols', () => {
  it('puts the volume\'s modality first, each group by name', () => {
    const { matching, other } = groupProtocols(all, 'ct')
    expect(matching.map((p) => p.id)).toEqual(['pelvis-rt', 'thorax-rt'])
    expect(other.map((p) => p.id)).toEqual(['any', 'brain-mr'])
  })
  it('offers every protocol, by name, for a volume without a modality (NIfTI)', () => {
    for (const modality of [null, undefined, '']) {
      const { matching, other } = groupProtocols(all, modality)
      expect(matching).toEqual([])
      expect(other.map((p) => p.id)).toEqual(['any', 'brain-mr', 'pelvis-rt', 'thorax-rt'])
    }
  })
})
