import { useState } from 'react'
import { cssColor } from '../lib/colors'
import { formatCount, formatIntensity, formatVolumeMl } from '../lib/format'
import type { ResultRow } from '../hooks/useWorkspace'

interface Props {
  rows: ResultRow[]
  opacity: Record<string, number>
  onToggle: (key: string) => void
  onOpacity: (key: string, value: number) => void
  onRename: (key: string, name: string) => void
  onDelete: (key: string) => void
  onGoTo: (row: ResultRow) => void
  onDownload: (row: ResultRow) => void
}

/** One row per mask: colour, visibility, opacity, rename, delete, volume, voxels, go to, download. */
export function ResultsPanel({ rows, opacity, onToggle, onOpacity, onRename, onDelete, onGoTo, onDownload }: Props) {
  const [editing, setEditing] = useState<string | null>(null)
  return (
    <section className="panel">
      <h2>Results</h2>
      {!rows.length && <p className="hint">Masks appear here.</p>}
      <ul className="results" data-testid="results">
        {rows.map((row) => (
          <li key={row.key} data-testid="result-row" data-name={row.label} data-index={row.index}>
            <span className="swatch" data-testid="result-swatch" style={{ background: cssColor(row.color) }} />
            <input type="checkbox" data-testid="result-visible" checked={row.visible}
              aria-label={`show ${row.label}`} onChange={() => onToggle(row.key)} />
            {editing === row.key ? (
              <input autoFocus defaultValue={row.label} data-testid="result-rename-input"
                onBlur={(e) => {
                  onRename(row.key, e.target.value.trim() || row.name)
                  setEditing(null)
                }}
                onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()} />
            ) : (
              <button className="name" data-testid="result-name" onDoubleClick={() => setEditing(row.key)}
                title="double-click to rename">
                {row.label}
              </button>
            )}
            <span className="stats" data-testid="result-stats">
              {formatVolumeMl(row.volume_ml)} · {formatCount(row.voxels)} vox
            </span>
            <span className="stats detail" data-testid="result-detail">
              {formatIntensity(row.mean, row.sd)}
              {row.components > 1 ? ` · ${row.components} components` : ''}
              {row.source === 'edited' ? ' · edited' : ''}
            </span>
            <input type="range" min={0} max={1} step={0.05} value={opacity[row.key] ?? 0.5}
              data-testid="result-opacity" aria-label={`opacity of ${row.label}`}
              onChange={(e) => onOpacity(row.key, Number(e.target.value))} />
            <button data-testid="result-goto" disabled={!row.bbox} onClick={() => onGoTo(row)}>go to</button>
            <button data-testid="result-download" onClick={() => onDownload(row)}>.nii.gz</button>
            <button data-testid="result-delete" aria-label={`delete ${row.label}`} onClick={() => onDelete(row.key)}>×</button>
          </li>
        ))}
      </ul>
    </section>
  )
}
