import type { StoredCase } from '../hooks/useMyCases'

interface Props {
  cases: StoredCase[] | null
  me: string
  onOpen: (item: StoredCase) => void
  onRefresh: () => void
}

function when(seconds: number | null | undefined): string {
  return seconds ? new Date(seconds * 1000).toLocaleString() : ''
}

/** The signed-in person's earlier cases on the server, to reopen (never anyone else's: the server filters). */
export function MyCases({ cases, me, onOpen, onRefresh }: Props) {
  return (
    <section className="panel my-cases" data-testid="my-cases">
      <div className="panel-head">
        <h2>My cases on the server</h2>
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
              <span className="hint" data-testid="my-case-jobs">
                {c.jobs.length ? c.jobs.map((j) => j.prompts.join(', ')).join(' · ') : 'no prompts yet'}
                {c.volume.owner && c.volume.owner !== me ? ` · owner ${c.volume.owner}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
