import type { Plane, SliceInfo, ViewName } from '../hooks/useNiivue'

interface Props {
  view: ViewName
  slices: SliceInfo[] | null
  active: Plane
  onSlice: (plane: Plane, index: number) => void
}

const PLANES: [Plane, string, string][] = [[0, 'axial', 'Ax'], [1, 'coronal', 'Cor'], [2, 'sagittal', 'Sag']]

/** Slice number and a slider for each 2D view on screen. Slices are voxel indices from 0 (as in the
 * file, the readout and the exports), the range shown beside the number. */
export function SliceBar({ view, slices, active, onSlice }: Props) {
  const shown = PLANES.filter(([, name]) => view === name || view === 'multiplanar' || view === 'render')
  return (
    <div className="slicebar" data-testid="slicebar">
      <span className="slice-convention" data-testid="slice-convention" title="slice numbers are voxel indices counted from 0">slice, 0-based</span>
      {shown.map(([plane, name, short]) => {
        const info = slices?.[plane]
        return (
          <label key={name} className={plane === active ? 'active' : ''} title={`${name} slice (voxel index, 0-based)`}>
            <span className="slice-number" data-testid={`slice-number-${name}`}>
              {short} {info ? `${info.index} (0–${info.count - 1})` : '–'}
            </span>
            <input type="range" data-testid={`slice-${name}`} aria-label={`${name} slice`} min={0}
              max={info ? info.count - 1 : 0} value={info?.index ?? 0} disabled={!info}
              onChange={(e) => onSlice(plane, Number(e.target.value))} />
          </label>
        )
      })}
    </div>
  )
}
