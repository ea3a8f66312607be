import { useCallback, useEffect, useMemo, useState } from 'react'
import { ApiClient } from './api/client'
import { ApiError } from './api/errors'
import type { PacsStudy, ServerInfo } from './api/types'
import { DrawingPanel } from './components/DrawingPanel'
import { JobProgress } from './components/JobProgress'
import { PacsPanel, PacsSend } from './components/PacsPanel'
import { PromptPanel } from './components/PromptPanel'
import { ResultsPanel } from './components/ResultsPanel'
import { UploadPanel } from './components/UploadPanel'
import { ViewerToolbar } from './components/ViewerToolbar'
import { useNiivue, type ViewName } from './hooks/useNiivue'
import { useWorkspace, type ResultRow } from './hooks/useWorkspace'

const API_BASE = (import.meta.env.VITE_API_URL as string | undefined) ?? ''
const KEY_STORAGE = 'voxtell-web-api-key'

/** Hand a Blob to NiiVue by object URL and release it once NiiVue has read it: volumes are
 * hundreds of MB and an unreleased URL pins the Blob for the page's lifetime. */
async function withObjectUrl<T>(blob: Blob, use: (url: string) => Promise<T>): Promise<T> {
  const url = URL.createObjectURL(blob)
  try {
    return await use(url)
  } finally {
    URL.revokeObjectURL(url)
  }
}

function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** File name telling NiiVue how to parse the stored volume (its format, gzip or not). */
function baseFileName(format: string | undefined, contentType: string): string {
  if (format === 'nrrd') return 'volume.nrrd'
  if (format === 'mha') return 'volume.mha'
  return contentType.includes('gzip') ? 'volume.nii.gz' : 'volume.nii'
}

export function App() {
  const api = useMemo(() => new ApiClient(API_BASE, window.localStorage.getItem(KEY_STORAGE)), [])
  const [error, setError] = useState<string | null>(null)
  const [info, setInfo] = useState<ServerInfo | null>(null)
  const [needKey, setNeedKey] = useState(false)
  const [view, setView] = useState<ViewName>('multiplanar')
  // The PACS study of the volume opened from the PACS (named in "Send to PACS"'s confirmation).
  const [pacsStudy, setPacsStudy] = useState<{ volumeId: string; study: PacsStudy } | null>(null)
  const viewer = useNiivue()
  const ws = useWorkspace(api, setError)

  const loadInfo = useCallback(() => {
    api.info().then((i) => {
      setInfo(i)
      setNeedKey(false)
    }).catch((err: unknown) => {
      if (err instanceof ApiError && err.needsApiKey) setNeedKey(true)
      setError(err instanceof Error ? err.message : String(err))
    })
  }, [api])
  useEffect(loadInfo, [loadInfo])

  // The viewer follows the workspace: base volume first, then one overlay per visible mask.
  const [baseLoaded, setBaseLoaded] = useState<string | null>(null)
  const [masksLoaded, setMasksLoaded] = useState(false)
  const [overlays, setOverlays] = useState(0)
  useEffect(() => {
    if (!ws.volume || !viewer.ready) return
    const id = ws.volume.id
    setBaseLoaded(null)
    api.blob(api.volumeImagePath(id))
      .then((blob) => withObjectUrl(blob, (url) => viewer.loadBase(url, baseFileName(ws.volume?.format, blob.type))))
      .then(() => setBaseLoaded(id))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
  }, [api, ws.volume, viewer.ready, viewer.loadBase])

  useEffect(() => {
    if (!baseLoaded || baseLoaded !== ws.volume?.id) return
    let cancelled = false
    setMasksLoaded(false)
    const run = async () => {
      // Overlays of deleted rows (no longer in the list) leave the viewer too.
      const listed = new Set(ws.results.map((r) => r.key))
      for (const key of viewer.maskKeys()) if (!listed.has(key)) viewer.removeMask(key)
      for (const row of ws.results) {
        if (cancelled) return
        if (!row.visible) {
          viewer.removeMask(row.key)
          continue
        }
        if (viewer.hasMask(row.key)) continue
        const blob = await api.blob(api.maskPath(row.jobId, row.index))
        if (cancelled) return
        await withObjectUrl(blob, (url) => viewer.addMask(row.key, url, row.color, ws.opacity[row.key] ?? 0.5))
      }
      if (!cancelled) {
        setOverlays(viewer.maskKeys().length)
        setMasksLoaded(true)
      }
    }
    run().catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
    return () => {
      cancelled = true
    }
    // The viewer's functions are stable; depending on them (not on the object, new every render)
    // keeps a cursor move from restarting the overlay loading.
  }, [api, viewer.maskKeys, viewer.removeMask, viewer.hasMask, viewer.addMask, ws.results, ws.volume, baseLoaded])

  const goTo = (row: ResultRow) => {
    if (!row.bbox) return
    const mid = row.bbox.map(([lo, hi]) => Math.floor((lo + hi - 1) / 2))
    viewer.goToVoxel([mid[2], mid[1], mid[0]]) // bbox is (S, A, R); the viewer wants (R, A, S)
  }
  const download = async (path: string, name: string) => {
    try {
      saveBlob(await api.blob(path), name)
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    }
  }
  const doneJobs = Array.from(new Set(ws.results.map((r) => r.jobId)))
  const [editJob, setEditJob] = useState<string | null>(null)
  useEffect(() => {
    const undo = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'z' && editJob) viewer.undo()
    }
    window.addEventListener('keydown', undo)
    return () => window.removeEventListener('keydown', undo)
  }, [editJob, viewer])

  return (
    <div className="app">
      {info?.demo && (
        <div className="banner" data-testid="demo-banner">{info.demo_notice}</div>
      )}
      {error && (
        <div className="error" role="alert" data-testid="error-message">
          {error}
          <button aria-label="dismiss" data-testid="error-dismiss" onClick={() => setError(null)}>×</button>
        </div>
      )}
      {needKey && (
        <form className="panel keyform" onSubmit={(e) => {
          e.preventDefault()
          const key = String(new FormData(e.currentTarget).get('key') ?? '')
          api.apiKey = key || null
          window.localStorage.setItem(KEY_STORAGE, key)
          setError(null)
          loadInfo()
        }}>
          <input name="key" type="password" placeholder="API key" data-testid="api-key-input" />
          <button type="submit" data-testid="api-key-save">Use key</button>
        </form>
      )}
      <aside className="sidebar">
        <header>
          <h1>VoxTell Web</h1>
          {info && <span className="model" data-testid="model-info">{info.model_name} · {info.device}</span>}
        </header>
        <UploadPanel progress={ws.uploadProgress} onFiles={(files) => ws.upload(files)} />
        {info?.pacs && <PacsPanel api={api} onError={setError} onOpen={(volume, study) => {
          setPacsStudy({ volumeId: volume.id, study })
          ws.adopt(volume)
        }} />}
        {ws.seriesChoice && (
          <section className="panel" data-testid="series-picker">
            <h2>Choose a series</h2>
            <ul className="series">
              {ws.seriesChoice.series.map((series) => (
                <li key={series.series_uid}>
                  <button data-testid="series-option" onClick={() => {
                    const choice = ws.seriesChoice
                    if (choice) void ws.upload(choice.files, series.series_uid)
                  }}>
                    {series.modality} · {series.description || 'no description'} · {series.slices} slices ·{' '}
                    {series.size.join('×')}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        {ws.volume && (
          <p className="hint" data-testid="volume-info">
            {ws.volume.shape.join('×')} · {ws.volume.spacing.map((s) => s.toFixed(2)).join('×')} mm · {ws.volume.orientation}
          </p>
        )}
        <PromptPanel api={api} disabled={!ws.volume} onRun={ws.run} />
        <JobProgress jobs={ws.activeJobs} onCancel={ws.cancel} />
        {ws.failedJobs.map((job) => (
          <p className="error" key={job.id} data-testid="job-error">{job.error ?? 'the job failed'}</p>
        ))}
        <ResultsPanel rows={ws.results} opacity={ws.opacity} onToggle={ws.toggle} onRename={ws.rename}
          onDelete={ws.remove} onGoTo={goTo}
          onOpacity={(key, value) => {
            ws.setOpacity(key, value)
            viewer.setMaskOpacity(key, value)
          }}
          onDownload={(row) => download(api.maskPath(row.jobId, row.index), `${row.label}.nii.gz`)} />
        <DrawingPanel rows={ws.results} canSave={doneJobs.length > 0}
          onStart={async (row) => {
            try {
              setEditJob(row?.jobId ?? doneJobs[doneJobs.length - 1] ?? null)
              if (row) await withObjectUrl(await api.blob(api.maskPath(row.jobId, row.index)), viewer.startDrawing)
              else await viewer.startDrawing(null)
            } catch (err) {
              setError(err instanceof Error ? err.message : String(err))
            }
          }}
          onTool={viewer.setTool} onUndo={viewer.undo}
          onFinish={async (save, name) => {
            try {
              const bytes = await viewer.finishDrawing(save)
              if (save && bytes && editJob) await ws.saveEdited(editJob, bytes, name)
            } catch (err) {
              setError(err instanceof Error ? err.message : String(err))
            } finally {
              setEditJob(null)
            }
          }} />
        {doneJobs.map((jobId) => (
          <div className="downloads" key={jobId}>
            <button data-testid="download-zip" onClick={() => download(`/api/jobs/${jobId}/masks.zip`, 'masks.zip')}>
              all masks (.zip)
            </button>
            <button data-testid="download-labelmap"
              onClick={() => download(`/api/jobs/${jobId}/labelmap.nii.gz`, 'labelmap.nii.gz')}>
              label map
            </button>
            {ws.volume?.format === 'dicom' && (
              <>
                <button data-testid="download-seg" onClick={() => download(`/api/jobs/${jobId}/seg.dcm`, 'segmentation.dcm')}>
                  DICOM SEG
                </button>
                <button data-testid="download-rtstruct"
                  onClick={() => download(`/api/jobs/${jobId}/rtstruct.dcm`, 'rtstruct.dcm')}>
                  RTSTRUCT
                </button>
                {info?.pacs && <PacsSend api={api} jobId={jobId} onError={setError}
                  masks={ws.results.filter((row) => row.jobId === jobId).length}
                  study={pacsStudy && pacsStudy.volumeId === ws.volume?.id ? pacsStudy.study : null} />}
              </>
            )}
          </div>
        ))}
      </aside>
      <main className="viewer">
        <ViewerToolbar view={view} cursor={viewer.cursor} onWindow={viewer.setWindow}
          onView={(v) => {
            setView(v)
            viewer.setView(v)
          }} />
        <div className="canvas-wrap" data-testid="viewer" data-loaded={masksLoaded ? baseLoaded ?? '' : ''}
          data-overlays={overlays}>
          <canvas ref={viewer.canvasRef} />
        </div>
      </main>
    </div>
  )
}
