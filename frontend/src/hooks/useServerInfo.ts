/** The server's description (model, device, demo, PACS), asked once; and whether it first wants an API key. */

import { useCallback, useEffect, useState } from 'react'
import type { ApiClient } from '../api/client'
import { ApiError } from '../api/errors'
import type { ServerInfo } from '../api/types'

export function useServerInfo(api: ApiClient, reportErr: (err: unknown) => void) {
  const [info, setInfo] = useState<ServerInfo | null>(null)
  const [needKey, setNeedKey] = useState(false)

  /** Ask again (after the user typed an API key). */
  const reload = useCallback(() => {
    api.info().then((i) => {
      setInfo(i)
      setNeedKey(false)
    }).catch((err: unknown) => {
      if (err instanceof ApiError && err.needsApiKey) setNeedKey(true)
      reportErr(err)
    })
  }, [api, reportErr])
  useEffect(reload, [reload])

  return { info, needKey, reload }
}
