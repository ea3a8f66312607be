import type { CursorInfo, ViewName } from '../hooks/useNiivue'

export const WINDOW_PRESETS: Record<string, [number, number]> = {
  'soft tissue': [40, 400],
  lung: [-600, 1500],
  bone: [400, 1800],
  brain: [40, 80],
}

interface Props {
  view: ViewName
  cursor: CursorInfo | null
  onView: (view: ViewName) => void
  onWindow: (center: number, width: number) => void
}

const VIEWS: ViewName[] = ['axial', 'coronal', 'sagittal', 'multiplanar', 'render']

/** Views, CT window presets, manual window/level and the crosshair readout. */
export function ViewerToolbar({ view, cursor, onView, onWindow }: Props) {
  return (
    <div className="toolbar">
      {VIEWS.map((v) => (
        <button key={v} data-testid={`view-${v}`} className={v === view ? 'active' : ''} onClick={() => onView(v)}>
          {v === 'render' ? '3D' : v}
        </button>
      ))}
      <select data-testid="window-preset" defaultValue=""
        onChange={(e) => {
          const preset = WINDOW_PRESETS[e.target.value]
          if (preset) onWindow(preset[0], preset[1])
        }}>
        <option value="" disabled>window</option>
        {Object.keys(WINDOW_PRESETS).map((name) => <option key={name} value={name}>{name}</option>)}
      </select>
      <form className="wl" onSubmit={(e) => {
        e.preventDefault()
        const data = new FormData(e.currentTarget)
        onWindow(Number(data.get('level')), Math.max(1, Number(data.get('width'))))
      }}>
        <input name="level" type="number" placeholder="level" data-testid="window-level" />
        <input name="width" type="number" placeholder="width" data-testid="window-width" />
        <button type="submit" data-testid="window-apply">apply</button>
      </form>
      <span className="cursor" data-testid="cursor-readout">
        {cursor ? `${cursor.mm.map((v) => v.toFixed(1)).join(', ')} mm · ${cursor.value ?? '–'}` : ''}
      </span>
    </div>
  )
}
