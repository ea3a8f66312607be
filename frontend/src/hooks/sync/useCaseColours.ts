/**
 * A colour the case palette gave a mask (lib/palette.ts: distinct across the case's runs) is stored
 * on the server too, one mask after the other, so that exports, other tabs and a reload show it.
 */

import { useEffect, useRef } from 'react'
import type { ResultRow, Workspace } from '../useWorkspace'

export function useCaseColours(results: ResultRow[], patch: Workspace['patch']) {
  const asked = useRef(new Set<string>())
  useEffect(() => {
    const todo = results.filter((r) => r.color.join() !== r.storedColor.join() && !asked.current.has(`${r.key}:${r.color.join()}`))
    if (!todo.length) return
    for (const r of todo) asked.current.add(`${r.key}:${r.color.join()}`)
    void (async () => {
      for (const r of todo) await patch(r, { color: r.color })
    })()
  }, [results, patch])
}
