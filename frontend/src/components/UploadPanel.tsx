import { useState } from 'react'

interface Props {
  progress: number | null
  onFiles: (files: File[]) => void
}

/** Drag-and-drop or file picker for .nii / .nii.gz volumes. */
export function UploadPanel({ progress, onFiles }: Props) {
  const [over, setOver] = useState(false)
  return (
    <section
      className={`panel drop ${over ? 'over' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault()
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault()
        setOver(false)
        const files = Array.from(e.dataTransfer.files)
        if (files.length) onFiles(files)
      }}
    >
      <h2>Volume</h2>
      <label className="button">
        Open volume or DICOM
        <input
          type="file"
          multiple
          data-testid="file-input"
          hidden
          onChange={(e) => {
            const files = Array.from(e.target.files ?? [])
            if (files.length) onFiles(files)
            e.target.value = ''
          }}
        />
      </label>
      <p className="hint">.nii, .nii.gz, .nrrd, .mha, a DICOM .zip or DICOM files — or drop them here</p>
      {progress !== null && (
        <progress data-testid="upload-progress" value={progress} max={1} aria-label="upload progress" />
      )}
    </section>
  )
}
