/** Running a protocol on the open case: the job joins the case's runs, which follow it like any
 * other (useWorkspace asks the server for a case's new job ids and follows the unfinished). */

import { useCallback, useMemo, useRef } from 'react'
import type { ApiClient } from '../api/client'
import { ProtocolsApi } from '../api/protocols'
import type { CaseState } from '../lib/cases'

export function useProtocolRun(api: ApiClient, volumeId: string | null,
  updateCurrent: (change: (c: CaseState) => CaseState) => void, report: (err: unknown) => void,
  clearError: () => void) {
  const protocols = useMemo(() => new ProtocolsApi(api), [api])
  // The case open when the answer comes: a job of another case's volume must not join this one.
  const current = useRef(volumeId)
  current.current = volumeId
  return useCallback(async (protocol: string) => {
    if (!volumeId) return
    clearError()
    try {
      const job = await protocols.run(volumeId, protocol)
      if (current.current === job.volume_id) {
        updateCurrent((c) => (c.jobIds.includes(job.id) ? c : { ...c, jobIds: [...c.jobIds, job.id] }))
      }
    } catch (err) {
      report(err)
    }
  }, [protocols, volumeId, updateCurrent, report, clearError])
}
