import type { JobStatus } from '../api/types'
import { formatEta, progressFraction } from '../lib/format'

interface Props {
  jobs: JobStatus[]
  onCancel: (id: string) => void
}

/** One progress bar per unfinished job: windows done/total, ETA, queue position, Cancel. */
export function JobProgress({ jobs, onCancel }: Props) {
  if (!jobs.length) return null
  return (
    <section className="panel" data-testid="jobs">
      {jobs.map((job) => (
        <div className="job" key={job.id} data-testid="job-row">
          <div className="job-title">{job.prompts.join(', ')}</div>
          <progress data-testid="job-progress" value={progressFraction(job.done, job.total)} max={1}
            data-done={job.done} data-total={job.total} />
          <div className="job-meta" data-testid="job-status">
            {job.status === 'queued'
              ? `queued${job.queue_position ? ` (position ${job.queue_position})` : ''}`
              : `${job.done}/${job.total || '?'} windows ${formatEta(job.eta_s)}`}
          </div>
          <button data-testid="cancel-button" onClick={() => onCancel(job.id)}>Cancel</button>
        </div>
      ))}
    </section>
  )
}
