/** Shapes of the server's JSON (see backend/API.md). */

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled'

export interface MaskResult {
  index: number
  name: string
  source: 'model' | 'edited'
  file: string
  voxels: number
  volume_ml: number
  /** half-open [lo, hi) per RAS-array axis (S, A, R) */
  bbox: number[][] | null
  components: number
  mean: number | null
  sd: number | null
  /** display colour (0..255 each), owned by the server; absent from servers before issue 14 */
  color?: [number, number, number]
  /** world RAS millimetres of the mask voxel nearest to its centroid ("go to" lands here) */
  centre_mm?: [number, number, number] | null
  /** half-open [lo, hi) per axis in the file's own voxel order (the frame of VolumeInfo.shape) */
  bbox_voxel?: number[][] | null
}

/** What a job is doing, in the server's words (shown in plain words by lib/phases.ts). */
export type JobPhase = 'queued' | 'loading_text_model' | 'encoding_prompts' | 'segmenting' | 'writing_results'
  | 'done' | 'failed' | 'cancelled'

export interface PhaseLogEntry {
  phase: JobPhase | string
  /** epoch seconds */
  started: number
  finished: number | null
}

export interface JobStatus {
  id: string
  volume_id: string
  status: JobState
  prompts: string[]
  options: Record<string, unknown>
  queue_position: number | null
  done: number
  total: number
  /** null until the server has a meaningful estimate */
  eta_s: number | null
  error: string | null
  results: MaskResult[]
  phase?: JobPhase
  /** every phase the job went through, in order (kept after the job ends) */
  phase_log?: PhaseLogEntry[]
}

export interface DicomSeries {
  series_uid: string
  description: string
  modality: string
  slices: number
  size: number[]
}

export interface VolumeInfo {
  id: string
  format: 'nifti' | 'nrrd' | 'mha' | 'dicom'

  shape: number[]
  spacing: number[]
  orientation: string
  dtype: string
  intensity_min: number
  intensity_max: number
  /** DICOM Modality, or "CT" for HU-like NIfTI/NRRD/MHA intensities; null when unknown */
  modality?: string | null
  /** "HU" for CT, else null */
  intensity_unit?: string | null
}

export interface ServerInfo {
  model_name: string
  demo: boolean
  /** the server's words for the demo model (shown in the banner), null for a real model */
  demo_notice: string | null
  device: string
  precision: string
  path: string
  queue_length: number
  auth_required: boolean
  /** A DICOMweb archive is configured (the PACS source and "Send to PACS"). */
  pacs?: boolean
}

export interface JobOptions {
  keep_largest_component: boolean
  fill_holes: boolean
}

export const TERMINAL: JobState[] = ['done', 'failed', 'cancelled']

/** A rename and/or recolour of one result (PATCH /api/jobs/{id}/masks/{i}). */
export interface MaskPatch {
  name?: string
  color?: [number, number, number]
}

/** The files a finished job can be downloaded as. */
export type ExportKind = 'zip' | 'labelmap' | 'labels-json' | 'labels-txt' | 'seg' | 'rtstruct'

/** A study found in the configured DICOMweb archive (QIDO-RS). */
export interface PacsStudy {
  study_uid: string
  study_date: string
  study_time: string
  description: string
  accession_number: string
  modalities: string[]
  series_count: number | null
  instance_count: number | null
  patient_name: string
  patient_id: string
}

export interface PacsSeries {
  series_uid: string
  modality: string
  description: string
  series_number: number | null
  instance_count: number | null
  body_part: string
  orientation: 'axial' | 'coronal' | 'sagittal' | 'oblique' | ''
}

export interface PacsStudyQuery {
  patient_name?: string
  patient_id?: string
  accession?: string
  study_date?: string
  modality?: string
}

/** What the archive stored: the new series of a DICOM SEG or RTSTRUCT. */
export interface PacsStored {
  format: 'seg' | 'rtstruct'
  study_uid: string
  series_uid: string
  sop_instance_uid: string
  series_description: string
}
