/** The DICOM node's worklist, read every few seconds while shown: a page of series (newest first)
 * and the job of each series still being segmented (its progress). */

import { useCallback, useEffect, useMemo, useState } from 'react'
import type { ApiClient } from '../api/client'
import { DicomApi } from '../api/dicom'
import { ApiError } from '../api/errors'
import type { DicomSeriesInfo, JobStatus } from '../api/types'
import { activeJobIds, fetchPage, newerPage, olderPage, type WorklistPages } from '../lib/worklist'
import { useRemote } from './useRemote'

export interface Worklist {
  series: DicomSeriesInfo[]
  /** the jobs of the series still being segmented, by id (one the server no longer has is left out) */
  jobs: Record<string, JobStatus>
  /** whether there are older series than this page's */
  more: boolean
}

export const WORKLIST_REFRESH_MS = 3000

export function useWorklist(api: ApiClient, onError: (err: unknown) => void, pageSize: number,
  refreshMs = WORKLIST_REFRESH_MS) {
  const dicom = useMemo(() => new DicomApi(api), [api])
  const [pages, setPages] = useState<WorklistPages>([])
  useEffect(() => setPages((p) => (p.length ? [] : p)), [pageSize]) // another page size: from the newest again
  const load = useCallback(async (): Promise<Worklist> => {
    const page = await fetchPage((limit, before) => dicom.series(limit, before), pages, pageSize,
      (err) => err instanceof ApiError && err.status === 404)
    if (page.fromNewest) setPages([]) // the series this page followed is gone: the newest page
    const jobs: Record<string, JobStatus> = {}
    await Promise.all(activeJobIds(page.rows).map(async (id) => {
      try {
        jobs[id] = await api.job(id)
      } catch {
        // gone meanwhile (the row's state says what happened on the next refresh)
      }
    }))
    return { series: page.rows, jobs, more: page.more }
  }, [api, dicom, pages, pageSize])
  const { data, reload } = useRemote(load, onError)
  useEffect(() => {
    const timer = window.setInterval(reload, refreshMs)
    return () => window.clearInterval(timer)
  }, [reload, refreshMs])
  const older = useCallback(() => {
    const last = data?.series[data.series.length - 1]
    if (last && data?.more) setPages((p) => olderPage(p, last.id))
  }, [data])
  const newer = useCallback(() => setPages(newerPage), [])
  return { worklist: data, reload, dicom, page: pages.length + 1, older, newer }
}
