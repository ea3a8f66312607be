/** The open cases, their volumes, jobs and results, kept in sync with the server. */

import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { SeriesChoiceError, type ApiClient } from '../api/client'
import { ApiError } from '../api/errors'
import { TERMINAL, type DicomSeries, type JobOptions, type JobStatus, type MaskResult, type VolumeInfo } from '../api/types'
import { DEFAULT_OPACITY, caseOfDigest, type CaseState } from '../lib/cases'
import { maskColor, type Rgb } from '../lib/colors'
import { describeError, filesLabel } from '../lib/errors'
import { filesDigest } from '../lib/file-digest'
import { InOrder } from '../lib/inOrder'
import { tagNifti } from '../lib/nifti-tag'
import { caseColours } from '../lib/palette'
import { useCases } from './useCases'
import { useJobs } from './useJobs'

export interface ResultRow extends MaskResult {
  key: string
  jobId: string
  /** the colour shown: distinct within the case (lib/palette.ts) */
  color: Rgb
  /** the colour the server holds (differs from ``color`` until the case palette's choice is stored) */
  storedColor: Rgb
  visible: boolean
  opacity: number
}

/** A deleted mask, kept in the browser so that "Undo" can store it again. */
export interface Deleted {
  row: ResultRow
  voxels: Uint8Array
}

export function useWorkspace(api: ApiClient, report: (message: string | null) => void) {
  const reportErr = useCallback((err: unknown) => report(describeError(err)), [report])
  const cases = useCases()
  const { close: forgetCase, update: updateCase, open: openCase } = cases
  const jobs = useJobs(api, reportErr)
  const { restore, store, run: runJob } = jobs
  const asked = useRef(new Set<string>())
  const [volumes, setVolumes] = useState<Record<string, VolumeInfo>>({})
  const [uploadProgress, setUploadProgress] = useState<number | null>(null)
  const [seriesChoice, setSeriesChoice] = useState<{ files: File[]; series: DicomSeries[] } | null>(null)
  const [deleted, setDeleted] = useState<Deleted | null>(null)
  /** a job's mask edits, one at a time: each answers with the whole job, the newest shown last */
  const edits = useRef(new InOrder())
  /** the project the next upload goes into (null: only the uploader sees it) */
  const [project, setProject] = useState<string | null>(null)
  const current = cases.current
  const volume = current ? volumes[current.volumeId] ?? null : null

  // The current case's volume description (after a reload or a switch).
  const currentId = current?.volumeId
  const currentName = current?.name
  useEffect(() => {
    if (!currentId || volumes[currentId] || asked.current.has(currentId)) return
    asked.current.add(currentId)
    api.volume(currentId).then((info) => setVolumes((all) => ({ ...all, [info.id]: info }))).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 404) {
        // Retention (or a new data dir) removed it: say so and drop the case instead of a blank page.
        report(`${currentName ?? 'The case'} is no longer on the server; open the file again.`)
        forgetCase(currentId)
      } else {
        asked.current.delete(currentId)
        reportErr(err)
      }
    })
  }, [api, forgetCase, currentId, currentName, report, reportErr, volumes])

  const jobIds = current?.jobIds
  useEffect(() => {
    if (jobIds) restore(jobIds)
  }, [jobIds, restore])
  // Jobs the server no longer has leave their case.
  useEffect(() => {
    if (!jobs.gone.length) return
    for (const c of cases.cases) {
      if (c.jobIds.some((j) => jobs.gone.includes(j))) {
        updateCase(c.volumeId, (x) => ({ ...x, jobIds: x.jobIds.filter((j) => !jobs.gone.includes(j)) }))
      }
    }
  }, [cases.cases, updateCase, jobs.gone])

  const updateCurrent = useCallback((change: (c: CaseState) => CaseState) => {
    if (currentId) updateCase(currentId, change)
  }, [updateCase, currentId])

  const openVolume = useCallback((info: VolumeInfo, name: string) => {
    setVolumes((all) => ({ ...all, [info.id]: info }))
    setDeleted(null)
    openCase(info.id, name)
  }, [openCase])

  /** Reopen a case stored on the server, with its jobs (oldest first). */
  const openStored = useCallback((info: VolumeInfo, name: string, jobIds: string[]) => {
    openVolume(info, name)
    updateCase(info.id, (c) => ({ ...c, jobIds: Array.from(new Set([...c.jobIds, ...jobIds])) }))
  }, [openVolume, updateCase])

  /** The open case of these very files (same content, any names), if any: reopened instead of a second upload. */
  const casesList = cases.cases
  const select = cases.select
  const reopenKnown = useCallback(async (files: File[], seriesUid?: string): Promise<boolean> => {
    const known = caseOfDigest({ cases: casesList }, await filesDigest(files, seriesUid))
    if (!known) return false
    select(known.volumeId)
    report(`${filesLabel(files.map((f) => f.name))} is already open as “${known.name}”: switched to it.`)
    return true
  }, [casesList, select, report])

  const upload = useCallback(async (files: File[], seriesUid?: string) => {
    report(null)
    setSeriesChoice(null)
    if (await reopenKnown(files, seriesUid)) return
    setUploadProgress(0)
    const label = filesLabel(files.map((f) => f.name))
    try {
      const [info, digest] = await Promise.all([
        api.uploadVolume(files, setUploadProgress, seriesUid, project ?? undefined), filesDigest(files, seriesUid)])
      openVolume(info, label)
      updateCase(info.id, (c) => ({ ...c, digest }))
    } catch (err) {
      if (err instanceof SeriesChoiceError) setSeriesChoice({ files, series: err.series })
      else report(describeError(err, label))
    } finally {
      setUploadProgress(null)
    }
  }, [api, openVolume, updateCase, project, report, reopenKnown])

  const run = useCallback(async (prompts: string[], options: JobOptions) => {
    if (!volume || !prompts.length) return
    report(null)
    try {
      const job = await runJob(volume.id, prompts, options)
      updateCase(volume.id, (c) => ({ ...c, jobIds: [...c.jobIds, job.id] }))
    } catch (err) {
      reportErr(err)
    }
  }, [updateCase, runJob, report, reportErr, volume])

  const caseJobIds = current?.jobIds
  const hidden = current?.hidden
  const opacity = current?.opacity
  const results: ResultRow[] = useMemo(() => {
    const rows: ResultRow[] = []
    for (const jobId of caseJobIds ?? []) {
      const job = jobs.jobs[jobId]
      if (!job || job.status !== 'done') continue
      for (const r of job.results) {
        const key = `${jobId}-${r.index}`
        const color = r.color ?? maskColor(r.index)
        rows.push({ ...r, key, jobId, color, storedColor: color, visible: !hidden?.includes(key),
          opacity: opacity?.[key] ?? DEFAULT_OPACITY })
      }
    }
    // Colours distinct across the case's runs (the server's palette restarts with each job).
    const recolour = caseColours(rows)
    return recolour.size ? rows.map((r) => ({ ...r, color: recolour.get(r.key) ?? r.color })) : rows
  }, [caseJobIds, hidden, opacity, jobs.jobs])

  /** every job of the case is known (asked after a reload or a switch) */
  const jobsKnown = (caseJobIds ?? []).every((id) => id in jobs.jobs || jobs.gone.includes(id))
  const caseJobs = useMemo(() => (caseJobIds ?? []).map((id) => jobs.jobs[id]).filter((j) => !!j), [caseJobIds, jobs.jobs])
  const activeJobs = caseJobs.filter((j) => !TERMINAL.includes(j.status))
  const endedJobs = caseJobs.filter((j) => (j.status === 'failed' || j.status === 'cancelled')
    && !current?.dismissed.includes(j.id))

  const toggle = useCallback((key: string) => updateCurrent((c) => ({
    ...c, hidden: c.hidden.includes(key) ? c.hidden.filter((h) => h !== key) : [...c.hidden, key],
  })), [updateCurrent])
  const setOpacity = useCallback((key: string, value: number) => updateCurrent((c) => ({
    ...c, opacity: { ...c.opacity, [key]: value },
  })), [updateCurrent])
  const dismiss = useCallback((jobId: string) => updateCurrent((c) => ({ ...c, dismissed: [...c.dismissed, jobId] })),
    [updateCurrent])

  /** Send one edit of ``jobId``'s masks after the job's earlier ones, and show the job it answers. */
  const edit = useCallback((jobId: string, send: () => Promise<JobStatus>) =>
    edits.current.run(jobId, async () => store(await send())), [store])

  const patch = useCallback(async (row: ResultRow, change: { name?: string; color?: Rgb }) => {
    try {
      await edit(row.jobId, () => api.patchMask(row.jobId, row.index, change))
    } catch (err) {
      reportErr(err)
    }
  }, [api, edit, reportErr])

  /** Delete on the server; the voxels stay here until the next delete, for {@link undoDelete}. */
  const remove = useCallback(async (row: ResultRow) => {
    try {
      await edits.current.run(row.jobId, async () => {
        const voxels = new Uint8Array(await (await api.mask(row.jobId, row.index)).arrayBuffer())
        store(await api.deleteMask(row.jobId, row.index))
        setDeleted({ row, voxels })
      })
    } catch (err) {
      reportErr(err)
    }
  }, [api, store, reportErr])

  /** Store the deleted mask again: with its index (so at its place, its label value and its
   * key's visibility and opacity), name, colour and voxels; its statistics recomputed. */
  const undoDelete = useCallback(async () => {
    if (!deleted) return
    const { row, voxels } = deleted
    try {
      const tagged = await tagNifti(voxels, { restore: row.index, draft: row.review?.draft ?? undefined })
      await edit(row.jobId, () => api.saveEditedMask(row.jobId, tagged, row.name, row.color))
      setDeleted(null)
    } catch (err) {
      reportErr(err)
    }
  }, [api, deleted, edit, reportErr])

  /** Store a drawn mask; ``draft``: the result it is an edit of (the server records the change). */
  const saveEdited = useCallback(async (jobId: string, nifti: Uint8Array, name: string, color?: Rgb, draft?: number) => {
    try {
      const tagged = await tagNifti(nifti, { draft })
      await edit(jobId, () => api.saveEditedMask(jobId, tagged, name, color))
    } catch (err) {
      reportErr(err)
    }
  }, [api, edit, reportErr])

  return {
    cases: cases.cases, current, volume, uploadProgress, project, setProject, seriesChoice, results, jobsKnown, activeJobs, endedJobs, deleted,
    upload, reopenKnown, openVolume, openStored, run, cancel: jobs.cancel, toggle, setOpacity, dismiss, patch, remove, undoDelete, saveEdited,
    selectCase: cases.select, closeCase: cases.close, updateCurrent, forgetDeleted: () => setDeleted(null),
  }
}

export type Workspace = ReturnType<typeof useWorkspace>
