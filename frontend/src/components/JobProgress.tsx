import { plainText } from '../api/errors'
import type { JobStatus } from '../api/types'
import { formatEta, progressFraction } from '../lib/format'
import { currentPhase, describeJob, endedReason, phaseHistory } from '../lib/phases'

interface Props {
  jobs: JobStatus[]
  ended: JobStatus[]
  onCancel: (id: string) => void
  onDismiss: (id: string) => void
}

/** Unfinished jobs: what each is doing in plain words, its progress (parts of the image done), an
 * ETA once the server has one, Cancel. Cancelled and failed jobs stay listed with their reason. */
export function JobProgress({ jobs, ended, onCancel, onDismiss }: Props) {
  if (!jobs.length && !ended.length) return null
  return (
    <section className="panel" data-testid="jobs">
      <h2>Jobs</h2>
      {jobs.map((job) => {
        const phase = currentPhase(job)
        const history = phaseHistory(job)
        return (
          <div className="job" key={job.id} data-testid="job-row" data-phase={phase}>
            <div className="job-title">{job.prompts.join(', ')}</div>
            {phase === 'segmenting' && job.total > 0
              ? <progress data-testid="job-progress" value={progressFraction(job.done, job.total)} max={1}
                data-done={job.done} data-total={job.total} />
              : <progress data-testid="job-progress" data-done={0} data-total={0} />}
            <div className="job-meta">
              <span data-testid="job-status">{describeJob(job)}</span>
              {job.eta_s !== null && <span data-testid="job-eta"> · {formatEta(job.eta_s)}</span>}
            </div>
            {history.length > 1 && (
              <div className="job-phases hint" data-testid="job-phases">{history.join(' → ')}</div>
            )}
            <button data-testid="cancel-button" onClick={() => onCancel(job.id)}>Cancel</button>
          </div>
        )
      })}
      {ended.map((job) => (
        <div className="job ended" key={job.id} data-testid="job-ended" data-status={job.status}>
          <div className="job-title">{job.prompts.join(', ')}</div>
          <div className={job.status === 'failed' ? 'error-text' : 'hint'} data-testid="job-ended-reason">
            {job.status === 'failed'
              ? <>failed: <span data-testid="job-error">{job.error ? plainText(job.error) : 'the job failed'}</span></>
              : endedReason(job)}
          </div>
          {phaseHistory(job).length > 0 && (
            <div className="job-phases hint" data-testid="job-phases">{phaseHistory(job).join(' → ')}</div>
          )}
          <button className="icon" data-testid="job-dismiss" aria-label="remove from the list" onClick={() => onDismiss(job.id)}>×</button>
        </div>
      ))}
    </section>
  )
}
