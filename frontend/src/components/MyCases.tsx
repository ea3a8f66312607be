import type { ReactNode } from 'react'
import type { ProjectRef } from '../api/types'
import type { StoredCase } from '../hooks/useMyCases'
import { exportStamp, saveBlob } from '../lib/downloads'
import { bannerFields } from '../lib/patient'
import { jobStatisticsCsv } from '../lib/stats-csv'

interface Props {
  cases: StoredCase[] | null
  me: string
  /** the signed-in person's projects, to name a case's project */
  projects: ProjectRef[]
  onOpen: (item: StoredCase) => void
  onRefresh: () => void
  /** the name a volume was opened under in this tab (a NIfTI's file name when the server has none) */
  localName: (volumeId: string) => string | null
}

function when(seconds: number | null | undefined): string {
  return seconds ? new Date(seconds * 1000).toLocaleString() : ''
}

/** The signed-in person's earlier cases on the server, to reopen (never anyone else's: the server filters). */
export function MyCases({ cases, me, projects, onOpen, onRefresh, localName }: Props) {
  const projectName = (id: string) => projects.find((p) => p.id === id)?.name ?? id
  return (
    <section className="panel my-cases" data-testid="my-cases">
      <div className="panel-head">
        <h2>My cases on the server</h2>
        <button data-testid="my-cases-stats-csv" disabled={!cases?.some((c) => c.jobs.some((j) => j.status === 'done'))}
          title="every finished job's masks: voxels, volume, mean, sd, components (no patient fields)"
          onClick={() => cases && saveBlob(new Blob([jobStatisticsCsv(cases)], { type: 'text/csv' }),
            `voxtell_statistics_${exportStamp(new Date())}.csv`)}>Statistics CSV</button>
        <button className="icon" data-testid="my-cases-refresh" aria-label="refresh my cases" title="refresh"
          onClick={onRefresh}>⟳</button>
      </div>
      {cases === null && <p className="hint">loading…</p>}
      {cases?.length === 0 && <p className="hint" data-testid="my-cases-empty">No cases on the server yet.</p>}
      {cases && cases.length > 0 && (
        <ul className="cases">
          {cases.map((c) => (
            <li key={c.volume.id} data-testid="my-case" data-volume={c.volume.id}>
              <button className="case-name" data-testid="my-case-open" title={`open ${c.volume.id}`} onClick={() => onOpen(c)}>
                {c.volume.modality ?? c.volume.format} {c.volume.shape.join('×')} · {when(c.volume.created)}
              </button>
              <span className="my-case-patient" data-testid="my-case-patient">
                {bannerFields(c.volume, localName(c.volume.id)).map((f) => (
                  <span key={f.key} data-testid={`my-case-${f.key}`} title={f.label}>{f.value}</span>
                )).reduce<ReactNode[]>((all, el, i) => (i ? [...all, ' · ', el] : [el]), [])}
              </span>
              <span className="hint" data-testid="my-case-jobs">
                {c.jobs.length ? c.jobs.map((j) => j.prompts.join(', ')).join(' · ') : 'no prompts yet'}
                {c.volume.owner && c.volume.owner !== me ? ` · owner ${c.volume.owner}` : ''}
              </span>
              {c.volume.project && (
                <span className="hint project" data-testid="my-case-project" data-project={c.volume.project}>
                  project {projectName(c.volume.project)}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
