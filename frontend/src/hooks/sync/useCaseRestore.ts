/**
 * The viewer follows the current case: it opens the case's volume with the window and crosshair
 * the case had (else the modality's window and the centre), and shows nothing once no case is open.
 */

import { useEffect, useRef } from 'react'
import type { ApiClient } from '../../api/client'
import type { VolumeInfo } from '../../api/types'
import type { CaseState } from '../../lib/cases'
import { gunzipInTasks, isGzip } from '../../lib/gzip'
import { defaultWindow } from '../../lib/windowing'
import type { Viewer } from '../useNiivue'

/** The stored volume as NiiVue is given it, and the file name telling NiiVue how to parse it (its
 * format, gzip or not). A gzip NIfTI is inflated here, a slice of time per task: NiiVue would do it
 * in one long task. */
async function forNiivue(blob: Blob, format: string | undefined): Promise<{ blob: Blob; fileName: string }> {
  if (format === 'nrrd') return { blob, fileName: 'volume.nrrd' }
  if (format === 'mha') return { blob, fileName: 'volume.mha' }
  if (!isGzip(new Uint8Array(await blob.slice(0, 2).arrayBuffer()))) return { blob, fileName: 'volume.nii' }
  return { blob: await gunzipInTasks(blob), fileName: 'volume.nii' }
}

/** Returns whether the viewer shows the current case's volume (what the case's other views wait for). */
export function useCaseRestore(
  api: ApiClient,
  viewer: Pick<Viewer, 'ready' | 'loaded' | 'loadBase' | 'clear'>,
  current: CaseState | null,
  volume: VolumeInfo | null,
  reportErr: (err: unknown) => void,
): boolean {
  // Read when the volume arrives, not a reason to load it again (the window and crosshair change as the user works).
  const caseRef = useRef(current)
  caseRef.current = current
  const { loadBase, clear, ready } = viewer
  useEffect(() => {
    if (!ready) return
    if (!volume) {
      if (!caseRef.current) clear()
      return
    }
    let cancelled = false
    api.volumeImage(volume.id).then((blob) => forNiivue(blob, volume.format)).then(({ blob, fileName }) => cancelled ? undefined : loadBase(blob, {
      key: volume.id, fileName, crosshairMm: caseRef.current?.crosshairMm ?? null,
      intensity: [volume.intensity_min, volume.intensity_max],
      window: (range) => caseRef.current?.window ?? defaultWindow(volume.modality, range),
    })).catch(reportErr)
    return () => {
      cancelled = true
    }
  }, [api, volume, ready, loadBase, clear, reportErr])
  return viewer.loaded !== null && viewer.loaded === volume?.id
}
