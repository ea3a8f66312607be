/** The DICOM node's worklist, read every few seconds while shown: the series (newest first) and the
 * job of each series still being segmented (its progress). */

import { useCallback, useEffect, useMemo } from 'react'
import type { ApiClient } from '../api/client'
import { DicomApi } from '../api/dicom'
import type { DicomSeriesInfo, JobStatus } from '../api/types'
import { activeJobIds } from '../lib/worklist'
import { useRemote } from './useRemote'

export interface Worklist {
  series: DicomSeriesInfo[]
  /** the jobs of the series still being segmented, by id (one the server no longer has is left out) */
  jobs: Record<string, JobStatus>
}

export const WORKLIST_REFRESH_MS = 3000

export function useWorklist(api: ApiClient, onError: (err: unknown) => void, refreshMs = WORKLIST_REFRESH_MS) {
  const dicom = useMemo(() => new DicomApi(api), [api])
  const load = useCallback(async (): Promise<Worklist> => {
    const series = await dicom.series()
    const jobs: Record<string, JobStatus> = {}
    await Promise.all(activeJobIds(series).map(async (id) => {
      try {
        jobs[id] = await api.job(id)
      } catch {
        // gone meanwhile (the row's state says what happened on the next refresh)
      }
    }))
    return { series, jobs }
  }, [api, dicom])
  const { data, reload } = useRemote(load, onError)
  useEffect(() => {
    const timer = window.setInterval(reload, refreshMs)
    return () => window.clearInterval(timer)
  }, [reload, refreshMs])
  return { worklist: data, reload, dicom }
}
