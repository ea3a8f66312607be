import { useEffect, useState } from 'react'
import { CUSTOM, matchPreset, presetNames, presetWindow, roundWindowValue, type IntensityRange, type WindowLevel } from '../lib/windowing'

interface Props {
  modality: string | null | undefined
  range: IntensityRange | null
  window: WindowLevel | null
  onWindow: (window: WindowLevel) => void
}

/** Window presets for the modality and the level/width fields, always showing the window on
 * screen (also after a right-drag). */
export function WindowControls({ modality, range, window, onWindow }: Props) {
  const shown = window ? [roundWindowValue(window.center, window.width), roundWindowValue(window.width, window.width)] : null
  // What the user is typing; otherwise the fields show the window on screen.
  const [draft, setDraft] = useState<{ level?: string; width?: string }>({})
  useEffect(() => setDraft({}), [window])
  const level = draft.level ?? (shown ? String(shown[0]) : '')
  const width = draft.width ?? (shown ? String(shown[1]) : '')
  const preset = window && range ? matchPreset(window, modality, range) : ''
  const apply = () => {
    const c = Number(level)
    const w = Number(width)
    if (level.trim() && width.trim() && Number.isFinite(c) && Number.isFinite(w) && w > 0) onWindow({ center: c, width: w })
    setDraft({})
  }
  return (
    <form className="wl" data-testid="window-controls" onSubmit={(e) => {
      e.preventDefault()
      apply()
    }}>
      <select data-testid="window-preset" aria-label="window preset" value={preset} disabled={!range}
        onChange={(e) => {
          const w = range && presetWindow(e.target.value, range)
          if (w) onWindow(w)
        }}>
        {!range && <option value="">window</option>}
        {range && presetNames(modality).map((name) => <option key={name} value={name}>{name}</option>)}
        {range && <option value={CUSTOM} disabled>custom</option>}
      </select>
      <label>L <input name="level" type="number" step="any" data-testid="window-level" aria-label="window level"
        value={level} disabled={!range} onChange={(e) => setDraft({ ...draft, level: e.target.value })}
        onBlur={() => draft.level !== undefined && apply()} /></label>
      <label>W <input name="width" type="number" step="any" min={0} data-testid="window-width" aria-label="window width"
        value={width} disabled={!range} onChange={(e) => setDraft({ ...draft, width: e.target.value })}
        onBlur={() => draft.width !== undefined && apply()} /></label>
      <button type="submit" data-testid="window-apply" disabled={!range}>apply</button>
    </form>
  )
}
