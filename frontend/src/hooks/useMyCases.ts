/** The signed-in person's cases on the server (GET /api/volumes, and each volume's jobs): the server
 * lists only what the caller may see. Read again when the person or ``stamp`` (the open cases) changes. */

import { useCallback } from 'react'
import type { ApiClient } from '../api/client'
import type { JobStatus, Me, VolumeInfo } from '../api/types'
import { useRemote } from './useRemote'

export interface StoredCase {
  volume: VolumeInfo
  /** newest first */
  jobs: JobStatus[]
}

export function useMyCases(api: ApiClient, me: Me | null, stamp: string, onError: (err: unknown) => void) {
  const load = useCallback(async (): Promise<StoredCase[]> => {
    const volumes = await api.volumes()
    const jobs = await Promise.all(volumes.map((v) => api.jobsOf(v.id)))
    return volumes.map((volume, i) => ({ volume, jobs: jobs[i] }))
    // eslint-disable-next-line react-hooks/exhaustive-deps -- read again for another person or other open cases
  }, [api, stamp, me?.id])
  return useRemote(me ? load : null, onError)
}
