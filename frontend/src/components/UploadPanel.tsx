import { useRef } from 'react'
import type { ProjectRef } from '../api/types'
import type { CaseState } from '../lib/cases'

interface Props {
  cases: CaseState[]
  current: string | null
  progress: number | null
  onFiles: (files: File[]) => void
  onSelect: (volumeId: string) => void
  onClose: (c: CaseState) => void
  /** the signed-in person's projects: an upload can go into one (its members see it too) */
  projects: ProjectRef[]
  project: string | null
  onProject: (project: string | null) => void
}

/** Open a volume (.nii, .nii.gz, .nrrd, .mha, a DICOM .zip or DICOM files; a drop anywhere in the
 * window works too) and the cases opened in this tab, by their local file names. */
export function UploadPanel({ cases, current, progress, onFiles, onSelect, onClose, projects, project, onProject }: Props) {
  const input = useRef<HTMLInputElement | null>(null)
  return (
    <section className="panel" data-testid="dropzone">
      <h2>Cases</h2>
      <button type="button" className="open" data-testid="open-button" onClick={() => input.current?.click()}>
        Open volume or DICOM…
      </button>
      <input ref={input} type="file" multiple data-testid="file-input" hidden onChange={(e) => {
        const files = Array.from(e.target.files ?? [])
        if (files.length) onFiles(files)
        e.target.value = ''
      }} />
      <p className="hint">.nii, .nii.gz, .nrrd, .mha, a DICOM .zip or DICOM files; or drop them anywhere</p>
      {projects.length > 0 && (
        <label className="upload-project">
          Uploads are seen by{' '}
          <select data-testid="upload-project" value={project ?? ''} aria-label="who sees the uploads"
            onChange={(e) => onProject(e.target.value || null)}>
            <option value="">only me</option>
            {projects.map((p) => <option key={p.id} value={p.id}>project {p.name}</option>)}
          </select>
        </label>
      )}
      {progress !== null && (
        <progress data-testid="upload-progress" value={progress} max={1} aria-label="upload progress" />
      )}
      {cases.length > 0 && (
        <ul className="cases" data-testid="cases">
          {cases.map((c) => (
            <li key={c.volumeId} data-testid="case-row" data-volume={c.volumeId}
              className={c.volumeId === current ? 'active' : ''}>
              <button className="case-name" data-testid="case-open" aria-current={c.volumeId === current}
                title={c.name} onClick={() => onSelect(c.volumeId)}>{c.name}</button>
              <button className="icon" data-testid="case-close" aria-label={`close ${c.name}`} title="close this case"
                onClick={() => onClose(c)}>×</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
