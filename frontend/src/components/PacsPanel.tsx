/** The PACS source (search a study, pick a series, Open) and "Send to PACS" for a finished job.
 * Shown only when the server has a DICOMweb archive configured (`/api/info` says `pacs`). */

import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../api/client'
import type { PacsSeries, PacsStored, PacsStudy, PacsStudyQuery, VolumeInfo } from '../api/types'
import { describeError as message } from '../lib/errors'

function formatDate(date: string): string {
  return /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}` : date
}

interface PanelProps {
  api: ApiClient
  onOpen: (volume: VolumeInfo, study: PacsStudy) => void
  onError: (message: string | null) => void
}

const FIELDS: [keyof PacsStudyQuery, string][] = [
  ['patient_name', 'Patient name'], ['patient_id', 'Patient ID'], ['accession', 'Accession'],
  ['study_date', 'Study date (YYYYMMDD)'], ['modality', 'Modality'],
]

export function PacsPanel({ api, onOpen, onError }: PanelProps) {
  const [query, setQuery] = useState<PacsStudyQuery>({})
  const [studies, setStudies] = useState<PacsStudy[] | null>(null)
  const [study, setStudy] = useState<PacsStudy | null>(null)
  const [series, setSeries] = useState<PacsSeries[]>([])
  const [busy, setBusy] = useState<string | null>(null)

  const search = async (event: FormEvent) => {
    event.preventDefault()
    onError(null)
    setBusy('Searching…')
    setStudy(null)
    setSeries([])
    try {
      setStudies(await api.pacsStudies(query))
    } catch (err) {
      onError(message(err))
    } finally {
      setBusy(null)
    }
  }

  const choose = async (chosen: PacsStudy) => {
    onError(null)
    setStudy(chosen)
    setSeries([])
    setBusy('Listing series…')
    try {
      setSeries(await api.pacsSeries(chosen.study_uid))
    } catch (err) {
      onError(message(err))
    } finally {
      setBusy(null)
    }
  }

  const open = async (picked: PacsSeries) => {
    if (!study) return
    onError(null)
    setBusy(`Retrieving ${picked.instance_count ?? ''} images…`)
    try {
      onOpen(await api.pacsImport(study.study_uid, picked.series_uid), study)
    } catch (err) {
      onError(message(err))
    } finally {
      setBusy(null)
    }
  }

  return (
    <section className="panel" data-testid="pacs-panel">
      <h2>PACS</h2>
      <form className="pacs-search" onSubmit={(e) => void search(e)}>
        {FIELDS.map(([key, label]) => (
          <input key={key} placeholder={label} aria-label={label} data-testid={`pacs-${key}`}
            value={query[key] ?? ''} onChange={(e) => setQuery({ ...query, [key]: e.target.value })} />
        ))}
        <button type="submit" data-testid="pacs-search" disabled={busy !== null}>Search</button>
      </form>
      {busy && <p className="hint" data-testid="pacs-busy">{busy}</p>}
      {studies && studies.length === 0 && <p className="hint" data-testid="pacs-none">No study matches.</p>}
      {studies && studies.length > 0 && (
        <ul className="series" data-testid="pacs-studies">
          {studies.map((s) => (
            <li key={s.study_uid}>
              <button data-testid="pacs-study" data-uid={s.study_uid} aria-pressed={study?.study_uid === s.study_uid}
                onClick={() => void choose(s)}>
                {s.patient_name.replace(/\^/g, ' ') || 'no name'} ({s.patient_id || 'no id'}) · {formatDate(s.study_date)} ·{' '}
                {s.description || 'no description'} · {s.modalities.join('/')} · {s.series_count ?? '?'} series
              </button>
            </li>
          ))}
        </ul>
      )}
      {study && series.length > 0 && (
        <ul className="series" data-testid="pacs-series-list">
          {series.map((s) => (
            <li key={s.series_uid} data-testid="pacs-series" data-uid={s.series_uid}>
              <span>
                {s.modality} · {s.description || 'no description'} · {s.instance_count ?? '?'} images
                {s.orientation && ` · ${s.orientation}`}
              </span>
              <button data-testid="pacs-open" disabled={busy !== null} onClick={() => void open(s)}>Open</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

interface SendProps {
  api: ApiClient
  jobId: string
  /** How many masks the job has (all go into the SEG / RTSTRUCT). */
  masks: number
  /** The PACS study the volume was opened from, when it was (else it came from a DICOM upload). */
  study: PacsStudy | null
  onError: (message: string | null) => void
}

/** What "Send to PACS" creates, for the confirmation. */
export function sendQuestion(format: PacsStored['format'], masks: number, study: PacsStudy | null): string {
  const what = format === 'seg' ? 'a DICOM SEG' : 'an RTSTRUCT'
  const where = study
    ? `study “${study.description || 'no description'}” (${study.patient_name.replace(/\^/g, ' ') || 'no name'}, ` +
      `${formatDate(study.study_date)}, ${study.study_uid})`
    : 'the study of the DICOM series it was made from'
  return `Send ${what} of ${masks} mask${masks === 1 ? '' : 's'} to the PACS as a new series in ${where}?`
}

/** "Send SEG to PACS" / "Send RTSTRUCT to PACS" for a finished job on a DICOM volume, each after
 * a confirmation naming what the archive will get. */
export function PacsSend({ api, jobId, masks, study, onError }: SendProps) {
  const [sending, setSending] = useState<PacsStored['format'] | null>(null)
  const [confirming, setConfirming] = useState<PacsStored['format'] | null>(null)
  const [stored, setStored] = useState<PacsStored[]>([])

  const send = async (format: PacsStored['format']) => {
    setConfirming(null)
    onError(null)
    setSending(format)
    try {
      const answer = await api.pacsStore(jobId, format)
      setStored((all) => [...all, answer])
    } catch (err) {
      onError(message(err))
    } finally {
      setSending(null)
    }
  }

  return (
    <>
      <button data-testid="pacs-send-seg" disabled={sending !== null || confirming !== null}
        onClick={() => setConfirming('seg')}>
        {sending === 'seg' ? 'Sending SEG…' : 'Send SEG to PACS'}
      </button>
      <button data-testid="pacs-send-rtstruct" disabled={sending !== null || confirming !== null}
        onClick={() => setConfirming('rtstruct')}>
        {sending === 'rtstruct' ? 'Sending RTSTRUCT…' : 'Send RTSTRUCT to PACS'}
      </button>
      {confirming && (
        <div className="pacs-confirm" role="alertdialog" aria-label="Send to the PACS?" data-testid="pacs-confirm"
          data-format={confirming}>
          <p>{sendQuestion(confirming, masks, study)}</p>
          <button data-testid="pacs-confirm-send" autoFocus onClick={() => void send(confirming)}>Send</button>
          <button data-testid="pacs-confirm-cancel" onClick={() => setConfirming(null)}>Cancel</button>
        </div>
      )}
      {stored.map((s) => (
        <p className="hint" key={s.sop_instance_uid} data-testid="pacs-stored" data-series-uid={s.series_uid}>
          Stored in the PACS: new series “{s.series_description}” ({s.format === 'seg' ? 'DICOM SEG' : 'RTSTRUCT'}),
          series UID <code data-testid="pacs-stored-uid">{s.series_uid}</code>
        </p>
      ))}
    </>
  )
}
