/** The protocols on the server (GET /api/protocols), read again on ``reload`` (after an administrator
 * changed them). */

import { useCallback, useMemo } from 'react'
import type { ApiClient } from '../api/client'
import { ProtocolsApi } from '../api/protocols'
import { useRemote } from './useRemote'

export function useProtocols(api: ApiClient, onError: (err: unknown) => void) {
  const protocols = useMemo(() => new ProtocolsApi(api), [api])
  const load = useCallback(() => protocols.list(), [protocols])
  const { data, reload } = useRemote(load, onError)
  return { protocols: data, reload }
}
