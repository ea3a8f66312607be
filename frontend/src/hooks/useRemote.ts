/** Data read from the server by ``load``, read again on ``reload`` (and whenever ``load`` changes);
 * an answer that arrives after a newer request is dropped. */

import { useCallback, useEffect, useRef, useState } from 'react'

export function useRemote<T>(load: (() => Promise<T>) | null, onError: (err: unknown) => void) {
  const [data, setData] = useState<T | null>(null)
  const seq = useRef(0)
  const reload = useCallback(() => {
    const mine = ++seq.current
    if (!load) {
      setData(null)
      return
    }
    load().then((value) => {
      if (mine === seq.current) setData(value)
    }).catch((err: unknown) => {
      if (mine === seq.current) onError(err)
    })
  }, [load, onError])
  useEffect(reload, [reload])
  return { data, reload }
}
