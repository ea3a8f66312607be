/** The crosshair position on the current case's volume is kept in the case, once it has rested for 300 ms. */

import { useEffect } from 'react'
import type { Viewer } from '../useNiivue'
import type { Workspace } from '../useWorkspace'

export function useCrosshairPersistence(onCurrent: boolean, viewer: Pick<Viewer, 'readout' | 'loaded'>,
  updateCurrent: Workspace['updateCurrent']) {
  const readoutMm = onCurrent && viewer.readout?.volume === viewer.loaded ? viewer.readout.mm : null
  useEffect(() => {
    if (!readoutMm) return
    const timer = window.setTimeout(() => updateCurrent((c) => ({ ...c, crosshairMm: readoutMm })), 300)
    return () => window.clearTimeout(timer)
  }, [readoutMm, updateCurrent])
}
