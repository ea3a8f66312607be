/** The window/level the user sets on the current case's volume is kept in the case (restored on switching back). */

import { useEffect } from 'react'
import type { WindowLevel } from '../../lib/windowing'
import type { Workspace } from '../useWorkspace'

export function useWindowPersistence(onCurrent: boolean, windowLevel: WindowLevel | null,
  updateCurrent: Workspace['updateCurrent']) {
  useEffect(() => {
    const w = windowLevel
    if (!onCurrent || !w) return
    updateCurrent((c) => (c.window?.center === w.center && c.window?.width === w.width ? c : { ...c, window: w }))
  }, [onCurrent, windowLevel, updateCurrent])
}
