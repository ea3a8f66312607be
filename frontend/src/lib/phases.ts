/** A job's phase in plain words (what a clinician reads under the progress bar). */

import type { JobPhase, JobStatus } from '../api/types'

const WORDS: Record<JobPhase, string> = {
  queued: 'waiting in queue',
  loading_text_model: 'loading the text model',
  encoding_prompts: 'encoding prompts',
  segmenting: 'segmenting',
  writing_results: 'writing results',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
}

/** The words for one phase name (an unknown name from a newer server is shown as it is, unscored). */
export function phaseWords(phase: string): string {
  return (WORDS as Record<string, string>)[phase] ?? phase.replace(/_/g, ' ')
}

/** The phase a job is in: the server's ``phase``, else derived from the status (older servers). */
export function currentPhase(job: JobStatus): string {
  if (job.phase) return job.phase
  if (job.status === 'queued') return 'queued'
  if (job.status === 'running') return 'segmenting'
  return job.status
}

/** One line about what the job is doing now, e.g. "segmenting: part 3 of 8" or
 * "waiting in queue (position 2)". */
export function describeJob(job: JobStatus): string {
  const phase = currentPhase(job)
  if (phase === 'queued') return job.queue_position ? `waiting in queue (position ${job.queue_position})` : 'waiting in queue'
  if (phase === 'segmenting' && job.total > 0) return `segmenting: part ${Math.min(job.done + 1, job.total)} of ${job.total}`
  return phaseWords(phase)
}

/** Every phase the job went through, in order, in words (from ``phase_log``), without repeats. */
export function phaseHistory(job: JobStatus): string[] {
  const out: string[] = []
  for (const entry of job.phase_log ?? []) {
    const words = phaseWords(entry.phase)
    if (out[out.length - 1] !== words) out.push(words)
  }
  return out
}

/** Why an ended job has no results, in words ("cancelled", or the server's reason). */
export function endedReason(job: JobStatus): string {
  if (job.status === 'cancelled') return 'cancelled'
  return job.error ? `failed: ${job.error}` : 'failed'
}
