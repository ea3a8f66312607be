/** The statistics of a person's jobs as CSV, one row per mask (a researcher's table across
 * cases): ids, protocol and structure, and the server's numbers. No patient fields: a volume is
 * named by its id and modality only, so the table can leave the department de-identified. */

import type { JobStatus, VolumeInfo } from '../api/types'

export interface CaseJobs {
  volume: VolumeInfo
  jobs: JobStatus[]
}

const HEAD = ['volume_id', 'modality', 'job_id', 'finished', 'protocol', 'mask', 'structure', 'prompt', 'source',
  'voxels', 'volume_ml', 'mean', 'sd', 'components', 'intensity_unit']

/** A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Rows for every finished job's masks, cases in the order given, jobs oldest first. A mask the
 * model drew is named by the prompt it answered (its index in the job's prompts). */
export function jobStatisticsCsv(cases: CaseJobs[]): string {
  const rows: unknown[][] = []
  for (const { volume, jobs } of cases) {
    const done = jobs.filter((j) => j.status === 'done').sort((a, b) => (a.created ?? 0) - (b.created ?? 0))
    for (const job of done) {
      for (const r of job.results ?? []) {
        const prompt = r.source === 'model' ? job.prompts[r.index] ?? '' : ''
        rows.push([volume.id, volume.modality ?? '', job.id,
          job.finished ? new Date(job.finished * 1000).toISOString() : '', job.protocol ?? '', r.index, r.name, prompt,
          r.source, r.voxels, r.volume_ml, r.mean, r.sd, r.components, volume.intensity_unit ?? ''])
      }
    }
  }
  return [HEAD, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n'
}
