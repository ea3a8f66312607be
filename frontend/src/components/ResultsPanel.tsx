import { useState } from 'react'
import type { OverlayState } from '../hooks/useNiivue'
import type { Deleted, ResultRow } from '../hooks/useWorkspace'
import { cssColor, hexColor, rgbFromHex, type Rgb } from '../lib/colors'
import { formatCount, formatIntensity, formatVolumeMl } from '../lib/format'
import { reviewWords } from '../lib/review'

interface Props {
  rows: ResultRow[]
  overlays: Record<string, OverlayState>
  deleted: Deleted | null
  /** the mask being edited in the viewer (its overlay is hidden meanwhile) */
  editing: string | null
  onToggle: (key: string) => void
  onRename: (row: ResultRow, name: string) => void
  onColor: (row: ResultRow, color: Rgb) => void
  onOpacity: (key: string, value: number) => void
  onGoTo: (row: ResultRow) => void
  onDownload: (row: ResultRow) => void
  onDelete: (row: ResultRow) => void
  onUndo: () => void
  onForget: () => void
}

/** The masks of the current case: colour, visibility, name, statistics, opacity, go to, download,
 * delete (asked first, with an undo). Names and colours are stored on the server. */
export function ResultsPanel(props: Props) {
  const { rows, overlays, deleted, editing, onUndo, onForget } = props
  const [renaming, setRenaming] = useState<string | null>(null)
  const [confirming, setConfirming] = useState<string | null>(null)
  return (
    <section className="panel">
      <h2>Results</h2>
      {!rows.length && <p className="hint">Masks appear here.</p>}
      <ul className="results" data-testid="results">
        {rows.map((row) => (
          <ResultItem key={row.key} row={row} state={editing === row.key ? 'editing' : row.visible ? overlays[row.key] ?? 'loading' : 'hidden'}
            renaming={renaming === row.key} confirming={confirming === row.key} setRenaming={setRenaming}
            setConfirming={setConfirming} {...props} />
        ))}
      </ul>
      {deleted && (
        <div className="undo" data-testid="undo-delete">
          <span>Deleted “{deleted.row.name}”.</span>
          <button data-testid="undo-button" onClick={onUndo}>Undo</button>
          <button className="icon" aria-label="forget" onClick={onForget}>×</button>
        </div>
      )}
    </section>
  )
}

interface ItemProps extends Props {
  row: ResultRow
  state: OverlayState | 'hidden' | 'editing'
  renaming: boolean
  confirming: boolean
  setRenaming: (key: string | null) => void
  setConfirming: (key: string | null) => void
}

function ResultItem({ rows, row, state, renaming, confirming, setRenaming, setConfirming, onToggle, onRename, onColor,
  onOpacity, onGoTo, onDownload, onDelete }: ItemProps) {
  const draftName = rows.find((r) => r.jobId === row.jobId && r.index === row.review?.draft)?.name ?? null
  const finish = (value: string) => {
    const name = value.trim()
    if (name && name !== row.name) onRename(row, name)
    setRenaming(null)
  }
  return (
    <li data-testid="result-row" data-name={row.name} data-index={row.index} data-state={state}>
      <label className="swatch" data-testid="result-swatch" style={{ background: cssColor(row.color) }}
        title="change the colour">
        <input type="color" data-testid="result-color" aria-label={`colour of ${row.name}`} value={hexColor(row.color)}
          onChange={(e) => onColor(row, rgbFromHex(e.target.value))} />
      </label>
      <input type="checkbox" data-testid="result-visible" checked={row.visible} aria-label={`show ${row.name}`}
        onChange={() => onToggle(row.key)} />
      {renaming ? (
        <input autoFocus defaultValue={row.name} data-testid="result-rename-input" maxLength={200}
          aria-label={`new name for ${row.name}`} onBlur={(e) => finish(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') finish(e.currentTarget.value)
            if (e.key === 'Escape') setRenaming(null)
          }} />
      ) : (
        <button className="name" data-testid="result-name" onDoubleClick={() => setRenaming(row.key)}
          title={`${row.name} (double-click to rename)`}>{row.name}</button>
      )}
      <button className="icon" data-testid="result-rename" aria-label={`rename ${row.name}`} title="rename"
        onClick={() => setRenaming(row.key)}>✎</button>
      <button className="icon" data-testid="result-delete" aria-label={`delete ${row.name}`} title="delete"
        onClick={() => setConfirming(row.key)}>×</button>
      <span className="stats" data-testid="result-stats">
        {formatVolumeMl(row.volume_ml)} · {formatCount(row.voxels)} vox
        {state === 'loading' && <span className="loading" data-testid="result-loading"> · loading…</span>}
        {state === 'editing' && <span className="loading"> · being edited</span>}
        {state === 'partial' && <span className="loading" data-testid="result-partial"
          title="So many masks overlap here that the viewer ran out of colours for their overlaps; hide or close masks you are not looking at. Exports hold every voxel.">
          {' '}· not all shown</span>}
      </span>
      <span className="stats detail" data-testid="result-detail">
        {formatIntensity(row.mean, row.sd)}
        {row.components > 1 ? ` · ${row.components} components` : ''}
        {row.source === 'edited' ? ' · edited' : ''}
      </span>
      {row.review && (
        <span className="stats detail" data-testid="result-review" data-dice={row.review.dice}
          data-hd95={row.review.hd95_mm ?? ''} title="the change from the model's draft (Dice, 95th percentile surface distance)">
          {reviewWords(row.review, draftName)}
        </span>
      )}
      <div className="row-tools">
        <input type="range" min={0} max={1} step={0.05} value={row.opacity} data-testid="result-opacity"
          aria-label={`opacity of ${row.name}`} onChange={(e) => onOpacity(row.key, Number(e.target.value))} />
        <button data-testid="result-goto" disabled={!row.centre_mm && !row.bbox} onClick={() => onGoTo(row)}>go to</button>
        <button data-testid="result-download" onClick={() => onDownload(row)}>.nii.gz</button>
      </div>
      {confirming && (
        <div className="confirm" role="alertdialog" aria-label={`delete ${row.name}?`} data-testid="delete-confirm">
          <span>Delete “{row.name}” from the server?</span>
          <button className="danger" autoFocus data-testid="delete-confirm-ok" onClick={() => {
            setConfirming(null)
            onDelete(row)
          }}>Delete</button>
          <button data-testid="delete-confirm-cancel" onClick={() => setConfirming(null)}>Cancel</button>
        </div>
      )}
    </li>
  )
}
