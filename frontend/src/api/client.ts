/** Typed client of the VoxTell Web API. No React in here. */

import { ApiError, errorFromResponse, messageFor } from './errors'
import { SseParser, statusFromEvent } from './sse'
import { gzip, isGzip } from '../lib/gzip'
import {
  TERMINAL, type CaseExport, type DicomSeries, type ExportKind, type JobOptions, type MaskRef, type JobStatus, type MaskPatch, type Me, type PacsSeries,
  type PacsStored, type PacsStudy, type PacsStudyQuery, type ServerInfo, type SignInOptions, type TokenCreate, type TokenCreated,
  type TokenInfo, type VolumeInfo,
} from './types'

/** Several DICOM series in one upload: the user picks one (the server never picks silently). */
export class SeriesChoiceError extends ApiError {
  constructor(message: string, readonly series: DicomSeries[]) {
    super(409, message)
    this.name = 'SeriesChoiceError'
  }
}

export class ApiClient {
  constructor(
    readonly baseUrl: string = '',
    public apiKey: string | null = null,
  ) {}

  /** Called with every 401 (a missing, wrong, revoked or disabled credential), wherever it came from. */
  onUnauthorized: ((err: ApiError) => void) | null = null

  private failed(err: ApiError): ApiError {
    if (err.status === 401) this.onUnauthorized?.(err)
    return err
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.apiKey ? { ...extra, Authorization: `Bearer ${this.apiKey}` } : extra
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`
  }

  /** One JSON request (also used by api/admin.ts). */
  async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    let response: Response
    try {
      response = await fetch(this.url(path), { ...init, headers: this.headers(init.headers as Record<string, string>) })
    } catch {
      throw new ApiError(0, messageFor(0, null))
    }
    if (!response.ok) throw this.failed(await errorFromResponse(response))
    // 204, or an answer without a body (202 of a re-send): nothing to read
    const text = response.status === 204 ? '' : await response.text()
    return (text ? JSON.parse(text) : undefined) as T
  }

  info(): Promise<ServerInfo> {
    return this.request('/api/info')
  }

  /** Who is signed in (the server records a login). */
  /** How to sign in (open: asked before anyone has signed in). */
  signInOptions(): Promise<SignInOptions> {
    return this.request('/api/sign-in')
  }

  me(): Promise<Me> {
    return this.request('/api/me')
  }

  /** The caller's volumes (their own and their projects'), newest first. */
  volumes(limit = 100): Promise<VolumeInfo[]> {
    return this.request(`/api/volumes?limit=${limit}`)
  }

  /** The caller's jobs of one volume, newest first. */
  jobsOf(volumeId: string): Promise<JobStatus[]> {
    return this.request(`/api/jobs?volume_id=${encodeURIComponent(volumeId)}`)
  }

  myTokens(): Promise<TokenInfo[]> {
    return this.request('/api/me/tokens')
  }

  createMyToken(body: TokenCreate): Promise<TokenCreated> {
    return this.request('/api/me/tokens', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    })
  }

  revokeMyToken(id: string): Promise<void> {
    return this.request(`/api/me/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' })
  }

  prompts(q: string): Promise<string[]> {
    return this.request(`/api/prompts?q=${encodeURIComponent(q)}&limit=12`)
  }

  volume(id: string): Promise<VolumeInfo> {
    return this.request(`/api/volumes/${encodeURIComponent(id)}`)
  }

  job(id: string): Promise<JobStatus> {
    return this.request(`/api/jobs/${encodeURIComponent(id)}`)
  }

  createJob(volumeId: string, prompts: string[], options: JobOptions): Promise<JobStatus> {
    return this.request('/api/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ volume_id: volumeId, prompts, options }),
    })
  }

  /** QIDO-RS study search in the server's archive (empty fields are left out). */
  pacsStudies(query: PacsStudyQuery, limit = 50): Promise<PacsStudy[]> {
    const params = new URLSearchParams({ limit: String(limit) })
    for (const [key, value] of Object.entries(query)) if (value?.trim()) params.set(key, value.trim())
    return this.request(`/api/pacs/studies?${params.toString()}`)
  }

  pacsSeries(studyUid: string): Promise<PacsSeries[]> {
    return this.request(`/api/pacs/studies/${encodeURIComponent(studyUid)}/series`)
  }

  /** Retrieve a series from the archive into a stored volume (the same series again: the same volume). */
  pacsImport(studyUid: string, seriesUid: string): Promise<VolumeInfo> {
    return this.request('/api/pacs/import', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ study_uid: studyUid, series_uid: seriesUid }),
    })
  }

  /** Store a finished job's DICOM SEG or RTSTRUCT in the archive (STOW-RS). */
  pacsStore(jobId: string, format: 'seg' | 'rtstruct', mask?: number): Promise<PacsStored> {
    return this.request(`/api/jobs/${encodeURIComponent(jobId)}/pacs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(mask === undefined ? { format } : { format, mask }),
    })
  }

  cancelJob(id: string): Promise<JobStatus> {
    return this.request(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' })
  }

  /** Upload one volume file, a DICOM .zip, or several DICOM files, with progress (fraction 0..1;
   * XMLHttpRequest because fetch has no upload progress). A DICOM upload holding several series
   * rejects with a {@link SeriesChoiceError}: send it again with `seriesUid`. */
  uploadVolume(files: Blob | Blob[], onProgress: (fraction: number) => void, seriesUid?: string,
    project?: string): Promise<VolumeInfo> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open('POST', this.url('/api/volumes'))
      for (const [k, v] of Object.entries(this.headers())) xhr.setRequestHeader(k, v)
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total)
      }
      xhr.onerror = () => reject(new ApiError(0, messageFor(0, null)))
      xhr.onload = () => {
        let body: unknown = null
        try {
          body = JSON.parse(xhr.responseText)
        } catch {
          body = null
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body as VolumeInfo)
        else if (xhr.status === 409 && body && typeof body === 'object' && 'series' in body) {
          reject(new SeriesChoiceError(messageFor(409, body), (body as { series: DicomSeries[] }).series))
        } else reject(this.failed(new ApiError(xhr.status, messageFor(xhr.status, body))))
      }
      const form = new FormData()
      // The server decides the format from the content; these names are never used as paths.
      for (const [i, file] of (Array.isArray(files) ? files : [files]).entries()) form.append('file', file, `part${i}`)
      if (seriesUid) form.append('series_uid', seriesUid)
      if (project) form.append('project', project)
      xhr.send(form)
    })
  }

  /** Follow a job's Server-Sent Events until it reaches a terminal status or `signal` aborts.
   * A stream that drops early (proxy timeout, network blip) is re-opened a few times, so a
   * long job never leaves the progress bar frozen. */
  async followJob(id: string, onStatus: (job: JobStatus) => void, signal?: AbortSignal): Promise<void> {
    let finished = false
    const emit = (job: JobStatus) => {
      if (TERMINAL.includes(job.status)) finished = true
      onStatus(job)
    }
    for (let attempt = 0; attempt < 5 && !finished; attempt++) {
      if (attempt > 0) {
        await new Promise((r) => setTimeout(r, 500 * attempt))
        if (signal?.aborted) return
      }
      await this.readEvents(id, emit, signal)
    }
    if (!finished && !signal?.aborted) emit(await this.job(id))
  }

  private async readEvents(id: string, onStatus: (job: JobStatus) => void, signal?: AbortSignal): Promise<void> {
    const response = await fetch(this.url(`/api/jobs/${encodeURIComponent(id)}/events`), {
      headers: this.headers(),
      signal,
    })
    if (!response.ok || !response.body) throw this.failed(await errorFromResponse(response))
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    const parser = new SseParser()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      for (const event of parser.feed(value)) {
        const status = statusFromEvent(event)
        if (status) onStatus(status)
      }
    }
  }

  /** Fetch a file (volume, mask, zip) as a Blob, with the API key when one is set. */
  async blob(path: string): Promise<Blob> {
    const response = await fetch(this.url(path), { headers: this.headers() })
    if (!response.ok) throw this.failed(await errorFromResponse(response))
    return response.blob()
  }

  /** Store a mask (NIfTI bytes, plain or gzip) as a new result of ``jobId`` named ``name``; with
   * ``color`` it keeps that colour, without it the server gives the next palette colour. */
  /** Store an edited mask (NIfTI bytes, plain or gzip) as a new result; plain bytes are gzipped first,
   * by the browser's CompressionStream (off the main thread: a 512×512×300 mask is 78 MB plain). */
  async saveEditedMask(jobId: string, nifti: Uint8Array, name: string, color?: [number, number, number]): Promise<JobStatus> {
    const gzipped = isGzip(nifti) ? nifti : await gzip(nifti)
    const form = new FormData()
    form.append('file', new Blob([gzipped.slice().buffer]), 'edited.nii.gz')
    form.append('name', name)
    if (color) form.append('color', color.join(','))
    return this.request(`/api/jobs/${encodeURIComponent(jobId)}/masks`, { method: 'POST', body: form })
  }

  /** Rename and/or recolour result ``index`` on the server (every export follows). */
  patchMask(jobId: string, index: number, patch: MaskPatch): Promise<JobStatus> {
    return this.request(`/api/jobs/${encodeURIComponent(jobId)}/masks/${index}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(patch),
    })
  }

  /** Delete mask ``index`` of a finished job on the server (downloads and exports lose it too). */
  deleteMask(jobId: string, index: number): Promise<JobStatus> {
    return this.request(`/api/jobs/${encodeURIComponent(jobId)}/masks/${index}`, { method: 'DELETE' })
  }

  /** A stored volume's image file (NIfTI, NRRD or MetaImage; DICOM as NIfTI). */
  volumeImage(volumeId: string): Promise<Blob> {
    return this.blob(`/api/volumes/${encodeURIComponent(volumeId)}/image`)
  }

  /** Result ``index`` of a finished job as .nii.gz, in the volume's own orientation and affine. */
  mask(jobId: string, index: number): Promise<Blob> {
    return this.blob(`/api/jobs/${encodeURIComponent(jobId)}/masks/${index}.nii.gz`)
  }

  /** One export of a case (POST /api/volumes/{id}/export): the masks named by ``masks`` (each a
   * finished job of the volume and one of its result indices), in that order, as one file. */
  async exportCase(volumeId: string, kind: ExportKind, masks: MaskRef[]): Promise<Blob> {
    const response = await fetch(this.url(`/api/volumes/${encodeURIComponent(volumeId)}/export`), {
      method: 'POST',
      headers: { ...this.headers(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ format: kind, masks } satisfies CaseExport),
    })
    if (!response.ok) throw this.failed(await errorFromResponse(response))
    return response.blob()
  }
}
