import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/errors'
import type { JobStatus } from '../api/types'
import { closeCase, loadCases, newCase, openCase, saveCases, updateCase } from './cases'
import { caseStem, downloadName, exportStamp, safeFilePart } from './downloads'
import { describeError, filesLabel } from './errors'
import { shortcutFor } from './keys'
import { describeJob, endedReason, phaseHistory, phaseWords } from './phases'
import { AUTO, CUSTOM, defaultWindow, matchPreset, presetNames, presetWindow, roundWindowValue } from './windowing'

const memory = () => {
  const store = new Map<string, string>()
  return { store, getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) }
}

describe('cases of this tab', () => {
  it('open, switch, update and close; the state survives a reload and garbage', () => {
    let s = openCase({ current: null, cases: [] }, 'v1', 'ct.nii.gz')
    s = openCase(s, 'v2', 'mr.nii.gz')
    expect(s.current).toBe('v2')
    s = openCase(s, 'v1', 'renamed.nii.gz') // already listed: switch back, state kept
    expect(s.cases.map((c) => c.name)).toEqual(['ct.nii.gz', 'mr.nii.gz'])
    expect(s.current).toBe('v1')
    s = updateCase(s, 'v1', (c) => ({ ...c, jobIds: ['j1'], window: { center: 40, width: 400 }, hidden: ['j1-0'] }))
    const storage = memory()
    saveCases(storage, s)
    expect(loadCases(storage)).toEqual(s)
    s = closeCase(s, 'v1')
    expect(s).toEqual({ current: 'v2', cases: [newCase('v2', 'mr.nii.gz')] })
    expect(closeCase(s, 'v2')).toEqual({ current: null, cases: [] })
    storage.store.set('voxtell-web-cases', JSON.stringify({ current: 'nope', cases: [{ volumeId: 'v3', name: 'a',
      opacity: { x: 2, y: 0.3 }, window: { center: 1, width: -5 }, crosshairMm: [1, 2] }, { name: 'no id' }] }))
    expect(loadCases(storage)).toEqual({ current: 'v3', cases: [{ ...newCase('v3', 'a'), opacity: { y: 0.3 } }] })
    storage.store.set('voxtell-web-cases', '{not json')
    expect(loadCases(storage)).toEqual({ current: null, cases: [] })
  })
  it('takes over the single volume an older version kept in localStorage', () => {
    const legacy = memory()
    legacy.store.set('voxtell-web-session', JSON.stringify({ volumeId: 'v9', jobIds: ['j9'], hidden: [], names: {} }))
    const loaded = loadCases(memory(), legacy)
    expect(loaded.current).toBe('v9')
    expect(loaded.cases[0].jobIds).toEqual(['j9'])
  })
})

describe('download names', () => {
  it('start with the case name', () => {
    expect(caseStem('CT 0042.nii.gz')).toBe('CT_0042')
    expect(downloadName('CT 0042.nii.gz', 'mask', 'left kidney')).toBe('CT_0042_left_kidney.nii.gz')
    const at = new Date(2026, 0, 5, 9, 7) // local time, as the name says it
    expect(exportStamp(at)).toBe('20260105-0907')
    expect(downloadName('study.zip', 'zip', '', at)).toBe('study_20260105-0907_masks.zip')
    expect(downloadName('brain.nrrd', 'labelmap', '', at)).toBe('brain_20260105-0907_labels.nii.gz')
    expect(downloadName('IM0001 and 3 more files', 'seg', '', at)).toBe('IM0001_and_3_more_files_20260105-0907_seg.dcm')
    expect(downloadName('ct.nii.gz', 'rtstruct', '', at)).toBe('ct_20260105-0907_rtstruct.dcm')
    expect(downloadName('ct.nii.gz', 'zip')).toMatch(/^ct_\d{8}-\d{4}_masks\.zip$/)
    expect(safeFilePart('../../etc/passwd')).toBe('etc_passwd')
    expect(safeFilePart('   ')).toBe('unnamed')
  })
})

describe('error words', () => {
  it('name the file and say what it is not', () => {
    expect(describeError(new ApiError(422, 'not a NIfTI file (unrecognised header)'), 'case.txt'))
      .toBe('case.txt is not a NIfTI, NRRD, MetaImage or DICOM file the server can read; '
        + 'drop a NIfTI (.nii/.nii.gz), NRRD, MHA or a DICOM series (folder or .zip)')
    expect(describeError(new ApiError(422, 'only 3-D images are supported'), 'a.nii')).toBe('a.nii: only 3-D images are supported')
    expect(describeError(new ApiError(413, 'too big'), 'big.nii')).toBe('big.nii is larger than the server accepts')
    expect(describeError(new Error('boom'))).toBe('boom')
    expect(filesLabel(['IM1', 'IM2', 'IM3'])).toBe('IM1 and 2 more files')
  })
})

const job = (over: Partial<JobStatus>): JobStatus => ({ id: 'j', volume_id: 'v', status: 'running', prompts: ['x'],
  options: {}, queue_position: null, done: 0, total: 0, eta_s: null, error: null, results: [], created: 0,
  started: 0, finished: null, phase: 'segmenting', ...over })

describe('job phases in words', () => {
  it('say what the job does now', () => {
    expect(describeJob(job({ status: 'queued', phase: 'queued', queue_position: 2 }))).toBe('waiting in queue (position 2)')
    expect(describeJob(job({ phase: 'loading_text_model' }))).toBe('loading the text model')
    expect(describeJob(job({ phase: 'segmenting', done: 2, total: 8 }))).toBe('segmenting: part 3 of 8')
    expect(describeJob(job({ phase: 'segmenting', done: 8, total: 8 }))).toBe('segmenting: part 8 of 8')
    expect(describeJob(job({ phase: 'writing_results' }))).toBe('writing results')
    expect(describeJob(job({ status: 'running', done: 1, total: 4, phase: undefined }))).toBe('segmenting: part 2 of 4') // older server
    expect(phaseWords('something_new')).toBe('something new')
  })
  it('keep the history and the reason a job ended', () => {
    const log = (['queued', 'loading_text_model', 'encoding_prompts', 'segmenting', 'segmenting', 'done'] as const)
      .map((phase, i) => ({ phase, started: i, finished: i + 1 }))
    expect(phaseHistory(job({ phase_log: log }))).toEqual(['waiting in queue', 'loading the text model',
      'encoding prompts', 'segmenting', 'done'])
    expect(endedReason(job({ status: 'cancelled' }))).toBe('cancelled')
    expect(endedReason(job({ status: 'failed', error: 'the time limit was reached' }))).toBe('failed: the time limit was reached')
  })
})

describe('window presets', () => {
  const range = { robustMin: 10, robustMax: 210, min: 0, max: 1000 }
  it('are CT windows for CT and percentile windows otherwise', () => {
    expect(presetNames('CT')).toEqual(['soft tissue', 'lung', 'bone', 'brain', AUTO, 'full range'])
    expect(presetNames('MR')).toEqual([AUTO, 'full range'])
    expect(presetNames(null)).toEqual([AUTO, 'full range'])
    expect(presetWindow(AUTO, range)).toEqual({ center: 110, width: 200 })
    expect(defaultWindow('CT', range)).toEqual({ center: 40, width: 400 })
    expect(defaultWindow('PT', range)).toEqual({ center: 110, width: 200 })
  })
  it('name the window on screen, or say custom', () => {
    expect(matchPreset({ center: -600, width: 1500 }, 'CT', range)).toBe('lung')
    expect(matchPreset({ center: 110.2, width: 199.7 }, 'MR', range)).toBe(AUTO)
    expect(matchPreset({ center: 41, width: 400 }, 'CT', range)).toBe(CUSTOM)
    expect(roundWindowValue(0.123456, 0.5)).toBe(0.123)
    expect(roundWindowValue(39.6, 400)).toBe(40)
  })
})

describe('keyboard shortcuts', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods })
  it('step slices, zoom and toggle; nothing while typing in a field', () => {
    expect(shortcutFor(key('ArrowUp'), false)).toEqual({ kind: 'step', delta: 1 })
    expect(shortcutFor(key('PageDown'), false)).toEqual({ kind: 'step', delta: -10 })
    expect(shortcutFor(key('?'), false)).toEqual({ kind: 'help' })
    expect(shortcutFor(key('z', { ctrlKey: true }), false)).toEqual({ kind: 'undo' })
    expect(shortcutFor(key('ArrowUp'), true)).toBeNull()
    expect(shortcutFor(key('Escape'), true)).toEqual({ kind: 'escape' })
    expect(shortcutFor(key('a'), false)).toBeNull()
  })
})
