import { useState } from 'react'

interface Props {
  progress: number | null
  onFile: (file: File) => void
}

/** Drag-and-drop or file picker for .nii / .nii.gz volumes. */
export function UploadPanel({ progress, onFile }: Props) {
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
        const file = e.dataTransfer.files[0]
        if (file) onFile(file)
      }}
    >
      <h2>Volume</h2>
      <label className="button">
        Open .nii / .nii.gz
        <input
          type="file"
          accept=".nii,.nii.gz,.gz"
          data-testid="file-input"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0]
            if (file) onFile(file)
            e.target.value = ''
          }}
        />
      </label>
      <p className="hint">or drop a file here</p>
      {progress !== null && (
        <progress data-testid="upload-progress" value={progress} max={1} aria-label="upload progress" />
      )}
    </section>
  )
}
