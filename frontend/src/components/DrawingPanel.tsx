import { useState } from 'react'
import type { DrawTool } from '../hooks/useNiivue'
import type { ResultRow } from '../hooks/useWorkspace'

interface Props {
  rows: ResultRow[]
  canSave: boolean
  onStart: (row: ResultRow | null) => Promise<void>
  onTool: (tool: DrawTool) => void
  onUndo: () => void
  onFinish: (save: boolean, name: string) => Promise<void>
}

/** Edit a mask (or draw a new one) with pen, filled pen and eraser; undo; save as a new result. */
export function DrawingPanel({ rows, canSave, onStart, onTool, onUndo, onFinish }: Props) {
  const [target, setTarget] = useState('new')
  const [active, setActive] = useState<string | null>(null)
  const [tool, setTool] = useState<DrawTool>('pen')
  const pick = (t: DrawTool) => {
    setTool(t)
    onTool(t)
  }
  const label = active === 'new' ? 'new mask' : `${rows.find((r) => r.key === active)?.label ?? 'mask'} (edited)`
  return (
    <section className="panel">
      <h2>Draw</h2>
      {active === null ? (
        <div className="draw-start">
          <select data-testid="draw-target" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="new">new mask</option>
            {rows.map((r) => <option key={r.key} value={r.key}>{r.label}</option>)}
          </select>
          <button data-testid="draw-start" disabled={!canSave} onClick={async () => {
            await onStart(rows.find((r) => r.key === target) ?? null)
            setActive(target)
            pick('pen')
          }}>edit</button>
        </div>
      ) : (
        <div className="draw-tools">
          {(['pen', 'filled', 'eraser'] as DrawTool[]).map((t) => (
            <button key={t} data-testid={`draw-${t}`} className={tool === t ? 'active' : ''} onClick={() => pick(t)}>
              {t === 'filled' ? 'filled pen' : t}
            </button>
          ))}
          <button data-testid="draw-undo" onClick={onUndo} title="undo (Ctrl+Z)">undo</button>
          <button className="primary" data-testid="draw-save" onClick={async () => {
            await onFinish(true, label)
            setActive(null)
          }}>Save</button>
          <button data-testid="draw-discard" onClick={async () => {
            await onFinish(false, label)
            setActive(null)
          }}>discard</button>
        </div>
      )}
      {!canSave && <p className="hint">Run a segmentation first; drawings are saved with its results.</p>}
    </section>
  )
}
