import { useCallback, useState } from 'react'
import type { ApiClient } from '../api/client'
import type { DicomNodeStatus, DicomSendInfo, DicomSeriesInfo, JobStatus } from '../api/types'
import { useRemote } from '../hooks/useRemote'
import { useWorklist } from '../hooks/useWorklist'
import { progressFraction } from '../lib/format'
import { describeJob } from '../lib/phases'
import { dateTime, PAGE_SIZES, sendWords, seriesStateWords } from '../lib/worklist'
import '../styles/worklist.css'

interface Props {
  api: ApiClient
  onError: (err: unknown) => void
  onClose: () => void
  /** open the series' case (its volume and its job's masks) in the viewer */
  onOpen: (series: DicomSeriesInfo) => void
}

/** What the DICOM node received, newest first, a page at a time: each series' rule, protocol, job,
 * review and sends. */
export function WorklistPage({ api, onError, onClose, onOpen }: Props) {
  const [pageSize, setPageSize] = useState<number>(PAGE_SIZES[1])
  const { worklist, reload, dicom, page, older, newer } = useWorklist(api, onError, pageSize)
  const [busy, setBusy] = useState<string | null>(null)
  // The node's AE title and port, for administrators (anyone else is refused: nothing is shown).
  const loadNode = useCallback(() => dicom.node(), [dicom])
  const { data: node } = useRemote(loadNode, ignore)
  const act = (key: string, action: () => Promise<unknown>) => {
    setBusy(key)
    action().catch(onError).finally(() => {
      setBusy(null)
      reload()
    })
  }
  return (
    <div className="page worklist" data-testid="worklist">
      <div className="page-head">
        <h2>DICOM worklist</h2>
        <span className="hint">refreshed every few seconds</span>
        <button data-testid="worklist-refresh" onClick={reload}>Refresh</button>
        <button data-testid="worklist-close" onClick={onClose}>Close</button>
      </div>
      {node && <NodeLine node={node} />}
      {worklist === null && <p className="hint">loading…</p>}
      {worklist?.series.length === 0 && page === 1 && <p className="hint" data-testid="worklist-empty">No series received yet.</p>}
      {worklist && worklist.series.length > 0 && (
        <table className="worklist-table">
          <thead>
            <tr>
              <th>Received</th><th>From</th><th>Series</th><th>Rule · protocol</th><th>State</th><th>Job</th>
              <th>Sends</th><th>Review</th>
            </tr>
          </thead>
          <tbody>
            {worklist.series.map((s) => (
              <SeriesRow key={s.id} series={s} job={s.job_id ? worklist.jobs[s.job_id] ?? null : null} busy={busy}
                onOpen={() => onOpen(s)}
                onApprove={() => act(`approve:${s.id}`, () => dicom.approve(s.id))}
                onResend={(send) => act(`resend:${send.id}`, () => dicom.resend(send.id))} />
            ))}
          </tbody>
        </table>
      )}
      {worklist && (page > 1 || worklist.series.length > 0) && (
        <div className="worklist-pages" data-testid="worklist-pages">
          <button data-testid="worklist-newer" disabled={page === 1} onClick={newer}>‹ Newer</button>
          <span data-testid="worklist-page">page {page}{page === 1 ? ' (newest)' : ''}</span>
          <button data-testid="worklist-older" disabled={!worklist.more} onClick={older}>Older ›</button>
          <label className="hint">
            rows per page{' '}
            <select data-testid="worklist-page-size" value={pageSize} onChange={(e) => setPageSize(Number(e.target.value))}>
              {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </label>
        </div>
      )}
    </div>
  )
}

const ignore = () => {}

function NodeLine({ node }: { node: DicomNodeStatus }) {
  return (
    <p className="hint" data-testid="worklist-node" data-enabled={node.enabled}>
      {node.enabled ? `DICOM node ${node.ae_title} listening on port ${node.port}` : 'The DICOM node is off (VOXTELL_DICOM_PORT).'}
    </p>
  )
}

interface RowProps {
  series: DicomSeriesInfo
  job: JobStatus | null
  busy: string | null
  onOpen: () => void
  onApprove: () => void
  onResend: (send: DicomSendInfo) => void
}

function SeriesRow({ series: s, job, busy, onOpen, onApprove, onResend }: RowProps) {
  return (
    <tr data-testid="worklist-row" data-series={s.id} data-state={s.state}>
      <td data-testid="worklist-received">{dateTime(s.received)}</td>
      <td data-testid="worklist-from">{s.calling_ae ?? '?'}{s.called_ae ? ` → ${s.called_ae}` : ''}</td>
      <td>
        <span data-testid="worklist-modality" className="worklist-modality">{s.modality ?? '–'}</span>{' '}
        <span data-testid="worklist-description">{s.series_description || '(no description)'}</span>
        <span className="hint" data-testid="worklist-instances"> · {s.instances} {s.instances === 1 ? 'image' : 'images'}</span>
      </td>
      <td>
        <span data-testid="worklist-rule">{s.rule ?? '–'}</span>
        {' · '}<span data-testid="worklist-protocol">{s.protocol ?? '–'}</span>
      </td>
      <td data-testid="worklist-state" className={`worklist-state state-${s.state}`}>{seriesStateWords(s)}</td>
      <td data-testid="worklist-job">
        {s.job_id && s.state === 'queued' && job && (
          <>
            <progress data-testid="worklist-job-progress" value={progressFraction(job.done, job.total)} max={1} />
            <span className="hint" data-testid="worklist-job-words">{describeJob(job)}</span>
          </>
        )}
        {s.job_id && s.state === 'queued' && !job && <span className="hint">waiting…</span>}
        {s.job_id && s.state !== 'queued' && <span className="hint">{s.state === 'refused' ? 'stopped' : 'finished'}</span>}
        {!s.job_id && <span className="hint">–</span>}
      </td>
      <td>
        <ul className="worklist-sends">
          {s.sends.map((send) => (
            <li key={send.id} data-testid="worklist-send" data-destination={send.destination} data-state={send.state}>
              <b>{send.destination}</b> <span className="hint">{send.format}</span>{' '}
              <span data-testid="worklist-send-words" className={`send-${send.state}`}>{sendWords(send)}</span>
              {send.state === 'failed' && (
                <button data-testid="worklist-resend" disabled={busy === `resend:${send.id}`}
                  onClick={() => onResend(send)}>Re-send</button>
              )}
            </li>
          ))}
          {!s.sends.length && <li className="hint">{s.state === 'review' ? 'after approval' : '–'}</li>}
        </ul>
      </td>
      <td data-testid="worklist-review">
        <span className="hint">{s.review === 'review' ? 'review' : s.review === 'auto' ? 'automatic' : '–'}</span>
        {s.approved_by && <span className="hint" data-testid="worklist-approved-by"> · approved by {s.approved_by}</span>}
        <div className="worklist-actions">
          {s.volume_id && <button data-testid="worklist-open" onClick={onOpen}>Open</button>}
          {s.state === 'review' && (
            <button className="primary" data-testid="worklist-approve" disabled={busy === `approve:${s.id}`}
              onClick={onApprove}>Approve and send</button>
          )}
        </div>
      </td>
    </tr>
  )
}
