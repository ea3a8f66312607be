import { useState } from 'react'
import type { ExportKind } from '../api/types'
import type { ResultRow } from '../hooks/useWorkspace'

interface Props {
  rows: ResultRow[]
  dicom: boolean
  onExport: (jobId: string, kind: ExportKind, masks: number[] | undefined) => void
  /** "Send to PACS" for a job, when the server has an archive */
  pacs?: (jobId: string, masks: number) => React.ReactNode
}

const LABELS: [ExportKind, string, string][] = [
  ['zip', 'download-zip', 'all masks (.zip)'],
  ['labelmap', 'download-labelmap', 'label map'],
  ['labels-txt', 'download-labels-txt', 'label names (.txt)'],
]

/** Downloads per segmentation run: masks as a zip, the label map with its label descriptions
 * (names and colours, ITK-SNAP's format), DICOM SEG and RTSTRUCT for DICOM volumes; all masks or
 * only the visible ones. */
export function ExportPanel({ rows, dicom, onExport, pacs }: Props) {
  const [visibleOnly, setVisibleOnly] = useState(false)
  const jobIds = Array.from(new Set(rows.map((r) => r.jobId)))
  if (!jobIds.length) return null
  return (
    <section className="panel" data-testid="exports">
      <h2>Export</h2>
      <label>
        <input type="checkbox" data-testid="export-visible-only" checked={visibleOnly}
          onChange={(e) => setVisibleOnly(e.target.checked)} />
        visible masks only
      </label>
      {jobIds.map((jobId, i) => {
        const jobRows = rows.filter((r) => r.jobId === jobId)
        const masks = visibleOnly ? jobRows.filter((r) => r.visible).map((r) => r.index) : undefined
        const none = masks !== undefined && masks.length === 0
        return (
          <div className="downloads" key={jobId} data-testid="export-job">
            {jobIds.length > 1 && <span className="hint">run {i + 1}: {jobRows.map((r) => r.name).join(', ')}</span>}
            {LABELS.map(([kind, testId, label]) => (
              <button key={kind} data-testid={testId} disabled={none} onClick={() => onExport(jobId, kind, masks)}>
                {label}
              </button>
            ))}
            {dicom && (
              <>
                <button data-testid="download-seg" disabled={none} onClick={() => onExport(jobId, 'seg', masks)}>DICOM SEG</button>
                <button data-testid="download-rtstruct" disabled={none} onClick={() => onExport(jobId, 'rtstruct', masks)}>
                  RTSTRUCT
                </button>
                {pacs?.(jobId, jobRows.length)}
              </>
            )}
          </div>
        )
      })}
    </section>
  )
}
