/** Volume, jobs and results of this browser session, kept in sync with the server. */

import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { SeriesChoiceError, type ApiClient } from '../api/client'
import { ApiError } from '../api/errors'
import { TERMINAL, type DicomSeries, type JobOptions, type JobStatus, type MaskResult, type VolumeInfo } from '../api/types'
import { assignColorSlots, maskColor, type Rgb } from '../lib/colors'
import { emptySession, loadSession, saveSession, type SavedSession } from '../lib/session'

export interface ResultRow extends MaskResult {
  key: string
  jobId: string
  color: Rgb
  visible: boolean
  label: string
}

export function useWorkspace(api: ApiClient, onError: (message: string | null) => void) {
  const [session, setSession] = useState<SavedSession>(() => loadSession(window.localStorage))
  const [volume, setVolume] = useState<VolumeInfo | null>(null)
  const [uploadProgress, setUploadProgress] = useState<number | null>(null)
  const [jobs, setJobs] = useState<Record<string, JobStatus>>({})
  const follows = useRef(new Map<string, AbortController>())

  useEffect(() => saveSession(window.localStorage, session), [session])

  const report = useCallback((err: unknown) => {
    onError(err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err))
  }, [onError])

  const follow = useCallback((jobId: string) => {
    if (follows.current.has(jobId)) return
    const controller = new AbortController()
    follows.current.set(jobId, controller)
    api.followJob(jobId, (job) => setJobs((all) => ({ ...all, [job.id]: job })), controller.signal)
      .catch((err: unknown) => {
        if (!controller.signal.aborted) report(err)
      })
      .finally(() => follows.current.delete(jobId))
  }, [api, report])

  // Restore the session after a reload: the volume and every job still on the server.
  useEffect(() => {
    const saved = loadSession(window.localStorage)
    if (!saved.volumeId) return
    api.volume(saved.volumeId).then(setVolume).catch((err: unknown) => {
      // Retention (or a new data dir) removed it: start clean and say why instead of a blank page.
      if (err instanceof ApiError && err.status === 404) {
        setSession(emptySession())
        onError('The previous session\'s volume is no longer on the server; upload it again.')
      } else {
        report(err)
      }
    })
    for (const jobId of saved.jobIds) {
      api.job(jobId)
        .then((job) => {
          setJobs((all) => ({ ...all, [job.id]: job }))
          if (!TERMINAL.includes(job.status)) follow(job.id)
        })
        .catch(() => setSession((s) => ({ ...s, jobIds: s.jobIds.filter((j) => j !== jobId) })))
    }
  }, [api, follow, onError, report])

  const [seriesChoice, setSeriesChoice] = useState<{ files: File[]; series: DicomSeries[] } | null>(null)

  const upload = useCallback(async (files: File[], seriesUid?: string) => {
    onError(null)
    setSeriesChoice(null)
    setUploadProgress(0)
    try {
      const info = await api.uploadVolume(files, setUploadProgress, seriesUid)
      for (const controller of follows.current.values()) controller.abort()
      setJobs({})
      setVolume(info)
      setSession(emptySession(info.id))
    } catch (err) {
      if (err instanceof SeriesChoiceError) setSeriesChoice({ files, series: err.series })
      else report(err)
    } finally {
      setUploadProgress(null)
    }
  }, [api, onError, report])

  /** Work on a volume stored by another route (a PACS import): as after an upload. */
  const adopt = useCallback((info: VolumeInfo) => {
    onError(null)
    setSeriesChoice(null)
    for (const controller of follows.current.values()) controller.abort()
    setJobs({})
    setVolume(info)
    setSession(emptySession(info.id))
  }, [onError])

  const run = useCallback(async (prompts: string[], options: JobOptions) => {
    if (!volume || !prompts.length) return
    onError(null)
    try {
      const job = await api.createJob(volume.id, prompts, options)
      setJobs((all) => ({ ...all, [job.id]: job }))
      setSession((s) => ({ ...s, jobIds: [...s.jobIds, job.id] }))
      follow(job.id)
    } catch (err) {
      report(err)
    }
  }, [api, volume, follow, onError, report])

  const cancel = useCallback(async (jobId: string) => {
    try {
      const job = await api.cancelJob(jobId)
      setJobs((all) => ({ ...all, [job.id]: job }))
    } catch (err) {
      report(err)
    }
  }, [api, report])

  const saveEdited = useCallback(async (jobId: string, nifti: Uint8Array, name: string) => {
    try {
      const job = await api.saveEditedMask(jobId, nifti, name)
      setJobs((all) => ({ ...all, [job.id]: job }))
    } catch (err) {
      report(err)
    }
  }, [api, report])

  const finishedKeys = useMemo(() => session.jobIds.flatMap((jobId) => {
    const job = jobs[jobId]
    return job && job.status === 'done' ? job.results.map((r) => `${jobId}-${r.index}`) : []
  }), [jobs, session.jobIds])
  const colorSlots = useMemo(() => assignColorSlots(finishedKeys, session.colors), [finishedKeys, session.colors])
  // Remember the slots of new results, so that they survive deletions and reloads.
  useEffect(() => {
    if (colorSlots !== session.colors) setSession((s) => ({ ...s, colors: assignColorSlots(finishedKeys, s.colors) }))
  }, [colorSlots, finishedKeys, session.colors])

  const results: ResultRow[] = useMemo(() => {
    const rows: ResultRow[] = []
    for (const jobId of session.jobIds) {
      const job = jobs[jobId]
      if (!job || job.status !== 'done') continue
      for (const r of job.results) {
        const key = `${jobId}-${r.index}`
        // Rows hidden as "deleted" by earlier versions of the app (which kept them on the server).
        if (session.hidden.includes(`deleted:${key}`)) continue
        rows.push({ ...r, key, jobId, color: maskColor(colorSlots[key] ?? 0), visible: !session.hidden.includes(key),
          label: session.names[key] ?? r.name })
      }
    }
    return rows
  }, [jobs, session, colorSlots])

  const toggle = useCallback((key: string) => setSession((s) => ({
    ...s, hidden: s.hidden.includes(key) ? s.hidden.filter((h) => h !== key) : [...s.hidden, key],
  })), [])
  const rename = useCallback((key: string, name: string) => setSession((s) => ({ ...s, names: { ...s.names, [key]: name } })), [])
  const setOpacity = useCallback((key: string, value: number) => setSession((s) => ({
    ...s, opacity: { ...s.opacity, [key]: value },
  })), [])
  const remove = useCallback(async (key: string) => {
    const row = results.find((r) => r.key === key)
    if (!row) return
    try {
      const job = await api.deleteMask(row.jobId, row.index)
      setJobs((all) => ({ ...all, [job.id]: job }))
    } catch (err) {
      report(err)
    }
  }, [api, results, report])
  const activeJobs = Object.values(jobs).filter((j) => !TERMINAL.includes(j.status))
  const failedJobs = Object.values(jobs).filter((j) => j.status === 'failed')

  return {
    volume, uploadProgress, jobs, activeJobs, failedJobs, results, upload, adopt, run, cancel, toggle, rename, remove,
    saveEdited, opacity: session.opacity, setOpacity, seriesChoice,
  }
}
