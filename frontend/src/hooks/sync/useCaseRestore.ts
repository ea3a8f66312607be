/**
 * The viewer follows the current case: it opens the case's volume with the window and crosshair
 * the case had (else the modality's window and the centre), and shows nothing once no case is open.
 */

import { useEffect, useRef } from 'react'
import type { ApiClient } from '../../api/client'
import type { VolumeInfo } from '../../api/types'
import type { CaseState } from '../../lib/cases'
import { defaultWindow } from '../../lib/windowing'
import type { Viewer } from '../useNiivue'

/** File name telling NiiVue how to parse the stored volume (its format, gzip or not). */
function baseFileName(format: string | undefined, contentType: string): string {
  if (format === 'nrrd') return 'volume.nrrd'
  if (format === 'mha') return 'volume.mha'
  return contentType.includes('gzip') ? 'volume.nii.gz' : 'volume.nii'
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
    api.volumeImage(volume.id).then((blob) => cancelled ? undefined : loadBase(blob, {
      key: volume.id, fileName: baseFileName(volume.format, blob.type), crosshairMm: caseRef.current?.crosshairMm ?? null,
      intensity: [volume.intensity_min, volume.intensity_max],
      window: (range) => caseRef.current?.window ?? defaultWindow(volume.modality, range),
    })).catch(reportErr)
    return () => {
      cancelled = true
    }
  }, [api, volume, ready, loadBase, clear, reportErr])
  return viewer.loaded !== null && viewer.loaded === volume?.id
}
