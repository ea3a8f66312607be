import { useEffect, useState } from 'react'
import type { DrawTool } from '../hooks/useNiivue'
import type { ResultRow } from '../hooks/useWorkspace'
import type { Brush } from '../lib/brush'
import type { FillResult } from '../lib/interpolate'

interface Props {
  rows: ResultRow[]
  canSave: boolean
  unit: string | null
  onStart: (row: ResultRow | null) => Promise<boolean>
  onTool: (tool: DrawTool) => void
  onBrush: (brush: Brush) => void
  onUndo: () => void
  onFinish: (save: boolean, name: string) => Promise<void>
  /** the fill between slices waiting to be accepted or undone */
  fill: FillResult | null
  onFill: () => FillResult | null
  onAcceptFill: () => void
}

const TOOLS: [DrawTool, string][] = [['pen', 'brush'], ['filled', 'filled outline'], ['eraser', 'eraser'],
  ['filled-eraser', 'filled eraser']]

/** Edit a mask or draw a new one: brush of a size in mm (a disc on the slice, or a 3D ball),
 * filled outlines, eraser and filled eraser, optionally only on voxels inside an intensity range;
 * fill between slices (a preview to accept or undo); undo; save under a name the user confirms (an
 * edited mask keeps its colour). */
export function DrawingPanel({ rows, canSave, unit, onStart, onTool, onBrush, onUndo, onFinish, fill, onFill, onAcceptFill }: Props) {
  const [target, setTarget] = useState('new')
  const [active, setActive] = useState<string | null>(null)
  const [tool, setTool] = useState<DrawTool>('pen')
  const [size, setSize] = useState(5)
  const [ball, setBall] = useState(false)
  const [limit, setLimit] = useState(false)
  const [lo, setLo] = useState(-100)
  const [hi, setHi] = useState(300)
  const [naming, setNaming] = useState<string | null>(null)
  const [nothingToFill, setNothingToFill] = useState(false)
  useEffect(() => {
    onBrush({ diameterMm: size, shape: ball ? 'ball' : 'disc', range: limit ? [Math.min(lo, hi), Math.max(lo, hi)] : null })
  }, [ball, hi, limit, lo, onBrush, size])
  const pick = (t: DrawTool) => {
    setTool(t)
    onTool(t)
  }
  const edited = rows.find((r) => r.key === active)
  const suggested = active === 'new' ? 'new mask' : `${edited?.name ?? 'mask'} (edited)`
  const [saving, setSaving] = useState(false)
  const done = async (save: boolean, name: string) => {
    setNaming(null)
    setSaving(save)
    try {
      await onFinish(save, name)
    } finally {
      setSaving(false)
    }
    setActive(null)
  }
  return (
    <section className="panel" data-testid="drawing">
      <h2>Draw</h2>
      {active === null ? (
        <div className="draw-start">
          <select data-testid="draw-target" value={target} aria-label="mask to edit" onChange={(e) => setTarget(e.target.value)}>
            <option value="new">new mask</option>
            {rows.map((r) => <option key={r.key} value={r.key}>{r.name}</option>)}
          </select>
          <button data-testid="draw-start" disabled={!canSave} onClick={async () => {
            if (!(await onStart(rows.find((r) => r.key === target) ?? null))) return
            setActive(target)
            pick('pen')
          }}>edit</button>
        </div>
      ) : (
        <>
          <div className="draw-tools">
            {TOOLS.map(([t, label]) => (
              <button key={t} data-testid={`draw-${t}`} className={tool === t ? 'active' : ''} aria-pressed={tool === t}
                onClick={() => pick(t)}>{label}</button>
            ))}
          </div>
          <div className="draw-brush">
            <label>size <input type="number" min={0.5} max={100} step={0.5} value={size} data-testid="draw-size"
              onChange={(e) => setSize(Math.max(0.5, Number(e.target.value) || 0.5))} /> mm</label>
            <label><input type="checkbox" data-testid="draw-ball" checked={ball} onChange={(e) => setBall(e.target.checked)} />
              3D ball</label>
          </div>
          <div className="draw-brush">
            <label><input type="checkbox" data-testid="draw-limit" checked={limit}
              onChange={(e) => setLimit(e.target.checked)} /> only</label>
            <input type="number" data-testid="draw-limit-lo" aria-label="lowest intensity painted" value={lo}
              disabled={!limit} onChange={(e) => setLo(Number(e.target.value))} />
            <span>to</span>
            <input type="number" data-testid="draw-limit-hi" aria-label="highest intensity painted" value={hi}
              disabled={!limit} onChange={(e) => setHi(Number(e.target.value))} />
            <span>{unit ?? ''}</span>
          </div>
          <div className="draw-tools">
            <button data-testid="draw-interpolate" disabled={!!fill}
              title="fill the empty slices between drawn ones (along the slice axis of the view last used), shape-based"
              onClick={() => setNothingToFill(!onFill()?.voxels)}>fill between slices</button>
            {fill && <button className="primary" data-testid="draw-interpolate-accept" onClick={onAcceptFill}>accept fill</button>}
          </div>
          {fill && (
            <p className="hint" data-testid="draw-interpolate-pending" data-voxels={fill.voxels}>
              Filled {fill.voxels} voxels on {fill.slices.length === 1 ? 'slice' : 'slices'} {sliceRanges(fill.slices)} (lighter:
              preview). Accept, or undo to take them out; saving keeps them.
            </p>
          )}
          {!fill && nothingToFill && (
            <p className="hint" data-testid="draw-interpolate-none">Nothing to fill: draw on two slices with empty slices between them.</p>
          )}
          {saving ? (
            <p className="hint" data-testid="draw-saving" role="status">saving the mask…</p>
          ) : naming === null ? (
            <div className="draw-tools">
              <button data-testid="draw-undo" onClick={onUndo} title="undo (Ctrl+Z)">undo</button>
              <button className="primary" data-testid="draw-save" onClick={() => setNaming(suggested)}>Save…</button>
              <button data-testid="draw-discard" onClick={() => void done(false, suggested)}>discard</button>
            </div>
          ) : (
            <form className="save-name" data-testid="save-name" onSubmit={(e) => {
              e.preventDefault()
              if (naming.trim()) void done(true, naming.trim())
            }}>
              <label>Save as <input autoFocus data-testid="save-name-input" value={naming} maxLength={200}
                onChange={(e) => setNaming(e.target.value)} /></label>
              <button type="submit" className="primary" data-testid="save-name-ok" disabled={!naming.trim()}>Save</button>
              <button type="button" data-testid="save-name-cancel" onClick={() => setNaming(null)}>back</button>
            </form>
          )}
        </>
      )}
      {!canSave && <p className="hint">Run a segmentation first; drawings are saved with its results.</p>}
    </section>
  )
}

/** Slice numbers as ranges: 3–5, 9. */
function sliceRanges(slices: number[]): string {
  const parts: string[] = []
  for (let i = 0; i < slices.length; i++) {
    let j = i
    while (j + 1 < slices.length && slices[j + 1] === slices[j] + 1) j++
    parts.push(j > i ? `${slices[i]}–${slices[j]}` : String(slices[i]))
    i = j
  }
  return parts.join(', ')
}
