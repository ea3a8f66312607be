import type { Readout } from '../hooks/useNiivue'
import { formatMm, formatValue } from '../lib/format'

interface Props {
  readout: Readout | null
  unit: string | null | undefined
}

/** The crosshair readout: world position (RAS, mm), the voxel in the file's own axis order, the
 * intensity with its unit. Empty until the current volume has a crosshair position. */
export function StatusBar({ readout, unit }: Props) {
  return (
    <div className="statusbar" data-testid="cursor-readout" data-volume={readout?.volume ?? ''}
      data-mm={readout ? readout.mm.join(',') : ''} data-voxel={readout ? readout.voxel.join(',') : ''}
      data-value={readout?.value ?? ''}>
      {readout && (
        <>
          <span title="world position in mm, RAS: x grows to the patient's right, y to anterior, z to superior">
            RAS <b data-testid="readout-mm">{formatMm(readout.mm)}</b> mm
          </span>
          <span title="voxel indices in the file's own axis order, from 0">
            voxel (i, j, k), 0-based <b data-testid="readout-voxel">{readout.voxel.join(', ')}</b>
          </span>
          <span>value <b data-testid="readout-value">{formatValue(readout.value, unit)}</b></span>
        </>
      )}
    </div>
  )
}
