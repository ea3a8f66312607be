/** The viewer's mask overlays follow the case's results: one per mask, with its colour, opacity and visibility. */

import { useEffect, useMemo } from 'react'
import type { ApiClient } from '../../api/client'
import type { OverlaySpec, Viewer } from '../useNiivue'
import type { ResultRow } from '../useWorkspace'

export function useResultOverlays(api: ApiClient, results: ResultRow[], onCurrent: boolean,
  syncOverlays: Viewer['syncOverlays']) {
  const specs: OverlaySpec[] = useMemo(() => results.map((r) => ({
    key: r.key, color: r.color, opacity: r.opacity, visible: r.visible, box: r.bbox_voxel,
    load: () => api.mask(r.jobId, r.index),
  })), [api, results])
  useEffect(() => {
    if (onCurrent) void syncOverlays(specs)
  }, [onCurrent, specs, syncOverlays])
}
