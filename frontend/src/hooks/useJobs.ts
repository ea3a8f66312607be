/** Jobs of every case in this tab, followed over Server-Sent Events until they end. */

import { useCallback, useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../api/client'
import { ApiError } from '../api/errors'
import { TERMINAL, type JobOptions, type JobStatus } from '../api/types'

export function useJobs(api: ApiClient, report: (err: unknown) => void) {
  const [jobs, setJobs] = useState<Record<string, JobStatus>>({})
  /** jobs the server no longer has (retention): their ids are dropped from the cases */
  const [gone, setGone] = useState<string[]>([])
  const follows = useRef(new Map<string, AbortController>())
  const asked = useRef(new Set<string>())

  const store = useCallback((job: JobStatus) => setJobs((all) => ({ ...all, [job.id]: job })), [])

  const follow = useCallback((jobId: string) => {
    if (follows.current.has(jobId)) return
    const controller = new AbortController()
    follows.current.set(jobId, controller)
    api.followJob(jobId, store, controller.signal)
      .catch((err: unknown) => {
        if (!controller.signal.aborted) report(err)
      })
      .finally(() => follows.current.delete(jobId))
  }, [api, report, store])

  useEffect(() => () => {
    for (const controller of follows.current.values()) controller.abort()
  }, [])

  /** Ask the server once for each of ``jobIds`` (after a reload or a case switch) and follow the unfinished. */
  const restore = useCallback((jobIds: string[]) => {
    for (const jobId of jobIds) {
      if (asked.current.has(jobId)) continue
      asked.current.add(jobId)
      api.job(jobId)
        .then((job) => {
          store(job)
          if (!TERMINAL.includes(job.status)) follow(job.id)
        })
        .catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 404) setGone((g) => [...g, jobId])
          else report(err)
        })
    }
  }, [api, follow, report, store])

  const run = useCallback(async (volumeId: string, prompts: string[], options: JobOptions): Promise<JobStatus> => {
    const job = await api.createJob(volumeId, prompts, options)
    asked.current.add(job.id)
    store(job)
    follow(job.id)
    return job
  }, [api, follow, store])

  const cancel = useCallback(async (jobId: string) => {
    try {
      store(await api.cancelJob(jobId))
    } catch (err) {
      report(err)
    }
  }, [api, report, store])

  return { jobs, gone, restore, run, cancel, store }
}
