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
  const rounded = window ? [roundWindowValue(window.center, window.width), roundWindowValue(window.width, window.width)] : null
  const [level, setLevel] = useState('')
  const [width, setWidth] = useState('')
  useEffect(() => {
    setLevel(rounded ? String(rounded[0]) : '')
    setWidth(rounded ? String(rounded[1]) : '')
  }, [rounded?.[0], rounded?.[1]]) // eslint-disable-line react-hooks/exhaustive-deps
  const preset = window && range ? matchPreset(window, modality, range) : ''
  const apply = () => {
    const c = Number(level)
    const w = Number(width)
    if (level.trim() && width.trim() && Number.isFinite(c) && Number.isFinite(w) && w > 0) onWindow({ center: c, width: w })
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
        value={level} disabled={!range} onChange={(e) => setLevel(e.target.value)} onBlur={apply} /></label>
      <label>W <input name="width" type="number" step="any" min={0} data-testid="window-width" aria-label="window width"
        value={width} disabled={!range} onChange={(e) => setWidth(e.target.value)} onBlur={apply} /></label>
      <button type="submit" data-testid="window-apply" disabled={!range}>apply</button>
    </form>
  )
}
