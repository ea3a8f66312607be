import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { ApiClient } from './api/client'
import { ApiError } from './api/errors'
import type { ExportKind, PacsStudy, ServerInfo } from './api/types'
import { ConfirmDialog } from './components/ConfirmDialog'
import { DrawingPanel } from './components/DrawingPanel'
import { ExportPanel } from './components/ExportPanel'
import { JobProgress } from './components/JobProgress'
import { Notices } from './components/Notices'
import { PacsPanel, PacsSend } from './components/PacsPanel'
import { PromptPanel } from './components/PromptPanel'
import { ResultsPanel } from './components/ResultsPanel'
import { SeriesPicker } from './components/SeriesPicker'
import { ShortcutsHelp } from './components/ShortcutsHelp'
import { SliceBar } from './components/SliceBar'
import { StatusBar } from './components/StatusBar'
import { UploadPanel } from './components/UploadPanel'
import { ViewerToolbar } from './components/ViewerToolbar'
import { WindowControls } from './components/WindowControls'
import { useFileDrop } from './hooks/useFileDrop'
import { useNiivue, type OverlaySpec } from './hooks/useNiivue'
import { usePrefs } from './hooks/usePrefs'
import { useShortcuts } from './hooks/useShortcuts'
import { useWorkspace, type ResultRow } from './hooks/useWorkspace'
import type { CaseState } from './lib/cases'
import { downloadName, saveBlob } from './lib/downloads'
import { describeError, filesLabel } from './lib/errors'
import type { ShortcutAction } from './lib/keys'
import { defaultWindow } from './lib/windowing'

const API_BASE = (import.meta.env.VITE_API_URL as string | undefined) ?? ''
const KEY_STORAGE = 'voxtell-web-api-key'

/** File name telling NiiVue how to parse the stored volume (its format, gzip or not). */
function baseFileName(format: string | undefined, contentType: string): string {
  if (format === 'nrrd') return 'volume.nrrd'
  if (format === 'mha') return 'volume.mha'
  return contentType.includes('gzip') ? 'volume.nii.gz' : 'volume.nii'
}

export function App() {
  const api = useMemo(() => new ApiClient(API_BASE, window.localStorage.getItem(KEY_STORAGE)), [])
  const [error, setError] = useState<string | null>(null)
  const reportErr = useCallback((err: unknown) => setError(describeError(err)), [])
  const [info, setInfo] = useState<ServerInfo | null>(null)
  const [needKey, setNeedKey] = useState(false)
  const [prefs, setPrefs] = usePrefs()
  const viewer = useNiivue(reportErr, prefs.radiological)
  const ws = useWorkspace(api, setError)
  const [pendingFiles, setPendingFiles] = useState<File[] | null>(null)
  const [closing, setClosing] = useState<CaseState | null>(null)
  const [help, setHelp] = useState(false)
  const [editing, setEditing] = useState<{ jobId: string; row: ResultRow | null } | null>(null)
  // The PACS study of the volume opened from the PACS (named in "Send to PACS"'s confirmation).
  const [pacsStudy, setPacsStudy] = useState<{ volumeId: string; study: PacsStudy } | null>(null)

  const loadInfo = useCallback(() => {
    api.info().then((i) => {
      setInfo(i)
      setNeedKey(false)
    }).catch((err: unknown) => {
      if (err instanceof ApiError && err.needsApiKey) setNeedKey(true)
      reportErr(err)
    })
  }, [api, reportErr])
  useEffect(loadInfo, [loadInfo])

  // Opening a file while a case is open asks first (the open case stays in the list).
  const openFiles = useCallback((files: File[]) => {
    if (ws.current) setPendingFiles(files)
    else void ws.upload(files)
  }, [ws])
  const dragging = useFileDrop(openFiles)

  // The viewer follows the current case: its volume, with the window and crosshair it had.
  const caseRef = useRef(ws.current)
  caseRef.current = ws.current
  const { loadBase, clear, ready } = viewer
  useEffect(() => {
    if (!ready) return
    const volume = ws.volume
    if (!volume) {
      if (!caseRef.current) clear()
      return
    }
    let cancelled = false
    api.volumeImage(volume.id).then((blob) => cancelled ? undefined : loadBase(blob, {
      key: volume.id, fileName: baseFileName(volume.format, blob.type), crosshairMm: caseRef.current?.crosshairMm ?? null,
      intensity: [volume.intensity_min, volume.intensity_max],
      window: (range) => caseRef.current?.window ?? defaultWindow(volume.modality, range),
    })).catch(reportErr)
    return () => {
      cancelled = true
    }
  }, [api, ws.volume, ready, loadBase, clear, reportErr])
  const onCurrent = viewer.loaded !== null && viewer.loaded === ws.volume?.id

  // What the user sets is kept per case: the window and the crosshair position.
  const { updateCurrent } = ws
  useEffect(() => {
    const w = viewer.window
    if (!onCurrent || !w) return
    updateCurrent((c) => (c.window?.center === w.center && c.window?.width === w.width ? c : { ...c, window: w }))
  }, [onCurrent, viewer.window, updateCurrent])
  const readoutMm = onCurrent && viewer.readout?.volume === viewer.loaded ? viewer.readout.mm : null
  useEffect(() => {
    if (!readoutMm) return
    const timer = window.setTimeout(() => updateCurrent((c) => ({ ...c, crosshairMm: readoutMm })), 300)
    return () => window.clearTimeout(timer)
  }, [readoutMm, updateCurrent])

  // One overlay per visible mask, loaded by the viewer hook.
  const specs: OverlaySpec[] = useMemo(() => ws.results.map((r) => ({
    key: r.key, color: r.color, opacity: r.opacity, visible: r.visible, box: r.bbox_voxel,
    load: () => api.mask(r.jobId, r.index),
  })), [api, ws.results])
  const { syncOverlays } = viewer
  useEffect(() => {
    if (onCurrent) void syncOverlays(specs)
  }, [onCurrent, specs, syncOverlays])

  const { setView, setOutline, setCrosshairVisible, setPanMode } = viewer
  useEffect(() => {
    if (ready) setView(prefs.view)
  }, [ready, prefs.view, setView])
  useEffect(() => setOutline(prefs.outline), [prefs.outline, setOutline, onCurrent])
  useEffect(() => setCrosshairVisible(prefs.crosshair), [prefs.crosshair, setCrosshairVisible, ready])
  useEffect(() => setPanMode(prefs.pan), [prefs.pan, setPanMode, ready])

  useShortcuts((action: ShortcutAction) => {
    if (action.kind === 'step') viewer.step(action.delta)
    else if (action.kind === 'zoom') viewer.zoom(action.factor)
    else if (action.kind === 'reset-zoom') viewer.resetZoom()
    else if (action.kind === 'crosshair') setPrefs({ crosshair: !prefs.crosshair })
    else if (action.kind === 'outline') setPrefs({ outline: !prefs.outline })
    else if (action.kind === 'help') setHelp((h) => !h)
    else if (action.kind === 'escape') {
      setHelp(false)
      setPendingFiles(null)
      setClosing(null)
    }
    else if (action.kind === 'undo' && editing) viewer.undo()
  }, viewer.canvasRef)

  const caseName = ws.current?.name ?? 'volume'
  const save = async (name: string, get: () => Promise<Blob>) => {
    try {
      saveBlob(await get(), name)
    } catch (err) {
      reportErr(err)
    }
  }
  const onExport = (jobId: string, kind: ExportKind, masks: number[] | undefined) =>
    save(downloadName(caseName, kind), () => api.exportFile(jobId, kind, masks))
  const doneJobs = Array.from(new Set(ws.results.map((r) => r.jobId)))
  // Everything the case shows is drawn: its volume and every visible mask (tests wait on this).
  const drawn = onCurrent && ws.jobsKnown && viewer.overlaysSettled && ws.results
    .every((r) => !r.visible || r.key === editing?.row?.key || viewer.overlays[r.key] === 'shown')

  return (
    <div className="app" data-testid="app">
      {info?.demo && <div className="banner" data-testid="demo-banner">{info.demo_notice}</div>}
      <aside className="sidebar">
        <header>
          <h1>VoxTell Web</h1>
          {info && <span className="model" data-testid="model-info">{info.model_name} · {info.device}</span>}
        </header>
        {needKey && (
          <form className="panel keyform" onSubmit={(e) => {
            e.preventDefault()
            const key = String(new FormData(e.currentTarget).get('key') ?? '')
            api.apiKey = key || null
            window.localStorage.setItem(KEY_STORAGE, key)
            setError(null)
            loadInfo()
          }}>
            <input name="key" type="password" placeholder="API key" aria-label="API key" data-testid="api-key-input" />
            <button type="submit" data-testid="api-key-save">Use key</button>
          </form>
        )}
        <UploadPanel cases={ws.cases} current={ws.current?.volumeId ?? null} progress={ws.uploadProgress}
          onFiles={openFiles} onSelect={ws.selectCase} onClose={setClosing} />
        {info?.pacs && <PacsPanel api={api} onError={setError} onOpen={(volume, study) => {
          setPacsStudy({ volumeId: volume.id, study })
          ws.openVolume(volume, study.description || 'PACS study')
        }} />}
        {ws.seriesChoice && <SeriesPicker choice={ws.seriesChoice} onPick={(files, uid) => void ws.upload(files, uid)} />}
        {ws.volume && (
          <p className="hint volume-info" data-testid="volume-info">
            {ws.volume.shape.join('×')} · {ws.volume.spacing.map((s) => s.toFixed(2)).join('×')} mm · {ws.volume.orientation}
            {ws.volume.modality ? ` · ${ws.volume.modality}` : ''}
          </p>
        )}
        <PromptPanel api={api} disabled={!ws.volume} onRun={ws.run} />
        <JobProgress jobs={ws.activeJobs} ended={ws.endedJobs} onCancel={ws.cancel} onDismiss={ws.dismiss} />
        <ResultsPanel rows={ws.results} overlays={viewer.overlays} deleted={ws.deleted}
          editing={editing?.row?.key ?? null} onToggle={ws.toggle}
          onRename={(row, name) => void ws.patch(row, { name })} onColor={(row, color) => void ws.patch(row, { color })}
          onOpacity={ws.setOpacity} onGoTo={(row) => row.centre_mm && viewer.goToMm(row.centre_mm)}
          onDownload={(row) => save(downloadName(caseName, 'mask', row.name), () => api.mask(row.jobId, row.index))}
          onDelete={(row) => void ws.remove(row)} onUndo={() => void ws.undoDelete()} onForget={ws.forgetDeleted} />
        <ExportPanel rows={ws.results} dicom={ws.volume?.format === 'dicom'} onExport={onExport}
          pacs={info?.pacs ? (jobId, masks) => <PacsSend api={api} jobId={jobId} onError={setError} masks={masks}
            study={pacsStudy && pacsStudy.volumeId === ws.volume?.id ? pacsStudy.study : null} /> : undefined} />
        <DrawingPanel rows={ws.results} canSave={doneJobs.length > 0} unit={ws.volume?.intensity_unit ?? null}
          onBrush={viewer.setBrush} onTool={viewer.setTool} onUndo={viewer.undo}
          onStart={async (row) => {
            try {
              const jobId = row?.jobId ?? doneJobs[doneJobs.length - 1]
              await viewer.startDrawing(row ? await api.mask(row.jobId, row.index) : null, row?.key ?? null)
              setEditing({ jobId, row })
              return true
            } catch (err) {
              reportErr(err)
              return false
            }
          }}
          onFinish={async (keep, name) => {
            try {
              const bytes = await viewer.finishDrawing(keep)
              if (keep && bytes && editing) await ws.saveEdited(editing.jobId, bytes, name, editing.row?.color)
            } catch (err) {
              reportErr(err)
            } finally {
              setEditing(null)
            }
          }} />
      </aside>
      <main className="viewer">
        <ViewerToolbar view={prefs.view} options={prefs} onView={(view) => setPrefs({ view })} onOptions={setPrefs}
          onZoom={viewer.zoom} onResetZoom={viewer.resetZoom} onHelp={() => setHelp(true)} />
        <WindowControls modality={ws.volume?.modality} range={onCurrent ? viewer.range : null}
          window={onCurrent ? viewer.window : null} onWindow={viewer.setWindow} />
        <Notices error={error} onDismiss={() => setError(null)} />
        <div className="canvas-wrap" data-testid="viewer" data-overlays={viewer.overlayCount}
          data-loaded={drawn ? viewer.loaded ?? '' : ''}>
          <canvas ref={viewer.canvasRef} tabIndex={0} aria-label="image viewer" />
          {!ws.current && ws.uploadProgress === null && (
            <div className="empty" data-testid="empty-state">
              <p>Drop a CT, MR or PET volume (NIfTI, NRRD, MetaImage) or DICOM files anywhere, or use <b>Open</b>.</p>
            </div>
          )}
          {ws.current && !onCurrent && <div className="empty loading" data-testid="volume-loading">loading {ws.current.name}…</div>}
        </div>
        <SliceBar view={prefs.view} slices={onCurrent ? viewer.slices : null} active={viewer.activePlane}
          onSlice={viewer.setSlice} />
        <StatusBar readout={onCurrent && viewer.readout?.volume === viewer.loaded ? viewer.readout : null}
          unit={ws.volume?.intensity_unit} />
      </main>
      {dragging && (
        <div className="drop-target" data-testid="drop-target"><p>Drop to open</p></div>
      )}
      {pendingFiles && ws.current && (
        <ConfirmDialog testId="replace-confirm" title="Open another case?" confirm="Open"
          onCancel={() => setPendingFiles(null)} onConfirm={() => {
            const files = pendingFiles
            setPendingFiles(null)
            void ws.upload(files)
          }}>
          <p>Open <b>{filesLabel(pendingFiles.map((f) => f.name))}</b> in place of <b>{ws.current.name}</b>?</p>
          <p className="hint">{ws.current.name} stays in the Cases list with its results; switch back to it at any time.</p>
        </ConfirmDialog>
      )}
      {closing && (
        <ConfirmDialog testId="close-confirm" title="Close this case?" confirm="Close" danger
          onCancel={() => setClosing(null)} onConfirm={() => {
            ws.closeCase(closing.volumeId)
            setClosing(null)
          }}>
          <p>Close <b>{closing.name}</b>? It leaves this list; its results stay on the server until they expire.</p>
        </ConfirmDialog>
      )}
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
    </div>
  )
}
