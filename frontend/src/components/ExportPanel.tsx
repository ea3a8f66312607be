import { useState } from 'react'
import type { ExportKind, MaskRef } from '../api/types'
import type { ResultRow } from '../hooks/useWorkspace'

interface Props {
  rows: ResultRow[]
  dicom: boolean
  /** one file of the case: ``masks`` are the listed masks (all runs and edits) in the list's order */
  onExport: (kind: ExportKind, masks: MaskRef[]) => void
  /** "Send to PACS" for a job, when the server has an archive */
  pacs?: (jobId: string, masks: number) => React.ReactNode
}

const LABELS: [ExportKind, string, string][] = [
  ['zip', 'download-zip', 'all masks (.zip)'],
  ['labelmap', 'download-labelmap', 'label map'],
  ['labels-txt', 'download-labels-txt', 'label names (.txt)'],
]

/** The case's downloads, each ONE file holding every mask of the case (every run and edit, in the
 * list's order; or only the visible ones): masks as a zip, the label map with its label descriptions
 * (names and colours, ITK-SNAP's format), DICOM SEG and RTSTRUCT for DICOM volumes. */
export function ExportPanel({ rows, dicom, onExport, pacs }: Props) {
  const [visibleOnly, setVisibleOnly] = useState(false)
  if (!rows.length) return null
  const masks: MaskRef[] = rows.filter((r) => !visibleOnly || r.visible).map((r) => ({ job: r.jobId, mask: r.index }))
  const none = masks.length === 0
  const jobIds = Array.from(new Set(rows.map((r) => r.jobId)))
  return (
    <section className="panel" data-testid="exports">
      <h2>Export</h2>
      <label>
        <input type="checkbox" data-testid="export-visible-only" checked={visibleOnly}
          onChange={(e) => setVisibleOnly(e.target.checked)} />
        visible masks only
      </label>
      <div className="downloads" data-testid="export-case" data-masks={masks.length}>
        {LABELS.map(([kind, testId, label]) => (
          <button key={kind} data-testid={testId} disabled={none} onClick={() => onExport(kind, masks)}>{label}</button>
        ))}
        {dicom && (
          <>
            <button data-testid="download-seg" disabled={none} onClick={() => onExport('seg', masks)}>DICOM SEG</button>
            <button data-testid="download-rtstruct" disabled={none} onClick={() => onExport('rtstruct', masks)}>RTSTRUCT</button>
          </>
        )}
      </div>
      {/* The archive stores each run's SEG or RTSTRUCT (the server's PACS route is per job). */}
      {dicom && pacs && jobIds.map((jobId, i) => {
        const jobRows = rows.filter((r) => r.jobId === jobId)
        return (
          <div className="downloads" key={jobId} data-testid="export-job">
            {jobIds.length > 1 && <span className="hint">run {i + 1}: {jobRows.map((r) => r.name).join(', ')}</span>}
            {pacs(jobId, jobRows.length)}
          </div>
        )
      })}
    </section>
  )
}
