import { useCallback, useEffect, useMemo, useState } from 'react'
import { ApiClient } from './api/client'
import type { DicomSeriesInfo, ExportKind, MaskRef, PacsStudy, SignInOptions } from './api/types'
import { AdminPage } from './components/AdminPage'
import { ConfirmDialog } from './components/ConfirmDialog'
import { DrawingPanel } from './components/DrawingPanel'
import { ExportPanel } from './components/ExportPanel'
import { JobProgress } from './components/JobProgress'
import { MeasurePanel } from './components/MeasurePanel'
import { Notices } from './components/Notices'
import { PacsPanel, PacsSend } from './components/PacsPanel'
import { PatientBanner } from './components/PatientBanner'
import { PromptPanel } from './components/PromptPanel'
import { ResultsPanel } from './components/ResultsPanel'
import { SeriesPicker } from './components/SeriesPicker'
import { MyCases } from './components/MyCases'
import { MyTokens } from './components/MyTokens'
import { SessionBar, SignInForm } from './components/SessionBar'
import { ShortcutsHelp } from './components/ShortcutsHelp'
import { SliceBar } from './components/SliceBar'
import { StatusBar } from './components/StatusBar'
import { UploadPanel } from './components/UploadPanel'
import { ViewerToolbar } from './components/ViewerToolbar'
import { WindowControls } from './components/WindowControls'
import { WorklistPage } from './components/WorklistPage'
import { useCaseColours } from './hooks/sync/useCaseColours'
import { useCaseRestore } from './hooks/sync/useCaseRestore'
import { useCrosshairPersistence } from './hooks/sync/useCrosshairPersistence'
import { useResultOverlays } from './hooks/sync/useResultOverlays'
import { useViewerPrefs } from './hooks/sync/useViewerPrefs'
import { useWindowPersistence } from './hooks/sync/useWindowPersistence'
import { useFileDrop } from './hooks/useFileDrop'
import { useMeasurements } from './hooks/useMeasurements'
import { useNiivue } from './hooks/useNiivue'
import { useProtocolRun } from './hooks/useProtocolRun'
import { useProtocols } from './hooks/useProtocols'
import { usePrefs } from './hooks/usePrefs'
import { useMyCases } from './hooks/useMyCases'
import { useServerInfo } from './hooks/useServerInfo'
import { KEY_STORAGE, useSession, type Session } from './hooks/useSession'
import { useShortcuts } from './hooks/useShortcuts'
import { useWorkspace, type ResultRow } from './hooks/useWorkspace'
import type { CaseState } from './lib/cases'
import type { Rgb } from './lib/colors'
import { downloadName, saveBlob } from './lib/downloads'
import { describeError, filesLabel } from './lib/errors'
import type { ShortcutAction } from './lib/keys'
import { userManager } from './lib/oidc'
import { measurementsCsv } from './lib/measurements'
import { nextFreeColor } from './lib/palette'
import { bannerFields } from './lib/patient'
import { readable, refusal, sniffFiles } from './lib/sniff'

const API_BASE = (import.meta.env.VITE_API_URL as string | undefined) ?? ''

/**
 * The app: who is signed in, and their workspace. The workspace (cases, results, drawings, the viewer)
 * is mounted per person: signing out unmounts it, another person gets a fresh one (their tab data
 * claimed by useSession first), so nothing of one person is ever shown to the next in the same tab.
 */
export function App() {
  const api = useMemo(() => new ApiClient(API_BASE, window.localStorage.getItem(KEY_STORAGE)), [])
  const [error, setError] = useState<string | null>(null)
  const session = useSession(api, setError)
  const [options, setOptions] = useState<SignInOptions | null>(null)
  useEffect(() => {
    if (session.signedOut && !options) api.signInOptions().then(setOptions).catch(() => setOptions(null))
  }, [api, options, session.signedOut])
  if (session.me) {
    return <Workspace key={session.me.id} api={api} session={session} error={error} setError={setError} />
  }
  return (
    <div className="app" data-testid="app">
      <aside className="sidebar">
        <header><h1>VoxTell Web</h1></header>
        {session.signedOut && <SignInForm onSignIn={session.signIn} oidc={options?.oidc}
          onHospital={() => {
            // prompt=login: the provider asks who it is every time, even while its own session of the
            // previous person lives on (a shared workstation: sign-out here leaves the provider's session).
            if (options?.oidc) userManager(options.oidc).signinRedirect({ prompt: 'login' }).catch((err: unknown) => setError(describeError(err)))
          }} />}
      </aside>
      <main className="viewer">
        <Notices error={error} onDismiss={() => setError(null)} />
      </main>
    </div>
  )
}

interface WorkspaceProps {
  api: ApiClient
  session: Session
  error: string | null
  setError: (message: string | null) => void
}

function Workspace({ api, session, error, setError }: WorkspaceProps) {
  const reportErr = useCallback((err: unknown) => setError(describeError(err)), [])
  const [prefs, setPrefs] = usePrefs()
  const viewer = useNiivue(reportErr, prefs.radiological)
  const ws = useWorkspace(api, setError)
  const [pendingFiles, setPendingFiles] = useState<File[] | null>(null)
  const [closing, setClosing] = useState<CaseState | null>(null)
  const [help, setHelp] = useState(false)
  // The mask being drawn: the job it is saved with, the result it edits (null: a new mask), its colour.
  const [editing, setEditing] = useState<{ jobId: string; row: ResultRow | null; color: Rgb } | null>(null)
  // The PACS study of the volume opened from the PACS (named in "Send to PACS"'s confirmation).
  const [pacsStudy, setPacsStudy] = useState<{ volumeId: string; study: PacsStudy } | null>(null)

  const { info } = useServerInfo(api, reportErr)
  const [page, setPage] = useState<'admin' | 'tokens' | 'worklist' | null>(null)
  const openStamp = ws.cases.map((c) => `${c.volumeId}:${c.jobIds.join(',')}`).join(';')
  const myCases = useMyCases(api, session.me, openStamp, reportErr)
  const protocols = useProtocols(api, reportErr)

  // A file is checked (its first bytes) before anything else: a file the app cannot open never
  // costs the open case. Opening one while a case is open asks first (the open case stays in the list).
  const openFiles = useCallback(async (files: File[]) => {
    const kinds = await sniffFiles(files)
    if (!readable(kinds)) {
      setError(refusal(filesLabel(files.map((f) => f.name)), kinds))
      return
    }
    setError(null)
    if (await ws.reopenKnown(files)) return
    if (ws.current) setPendingFiles(files)
    else void ws.upload(files)
  }, [ws])
  const dragging = useFileDrop((files) => void openFiles(files))

  // The viewer and the workspace kept in sync, one concern per hook (hooks/sync/).
  const onCurrent = useCaseRestore(api, viewer, ws.current, ws.volume, reportErr)
  useWindowPersistence(onCurrent, viewer.window, ws.updateCurrent)
  useCrosshairPersistence(onCurrent, viewer, ws.updateCurrent)
  useResultOverlays(api, ws.results, onCurrent, viewer.syncOverlays)
  useCaseColours(ws.results, ws.patch)
  useViewerPrefs(viewer, prefs, onCurrent)
  const clearError = useCallback(() => setError(null), [setError])
  const runProtocol = useProtocolRun(api, ws.volume?.id ?? null, ws.updateCurrent, reportErr, clearError)
  const measurements = useMeasurements(onCurrent ? ws.current?.volumeId ?? null : null, viewer)
  const { setMeasurements } = viewer
  useEffect(() => setMeasurements(measurements.list), [measurements.list, setMeasurements])

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
      measurements.start(null)
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
  const onExport = (kind: ExportKind, masks: MaskRef[]) => {
    const volumeId = ws.volume?.id
    if (volumeId) void save(downloadName(caseName, kind), () => api.exportCase(volumeId, kind, masks))
  }
  const doneJobs = Array.from(new Set(ws.results.map((r) => r.jobId)))
  // Everything the case shows is drawn: its volume and every visible mask (tests wait on this).
  const drawn = onCurrent && ws.jobsKnown && viewer.overlaysSettled && ws.results
    .every((r) => !r.visible || r.key === editing?.row?.key || ['shown', 'partial'].includes(viewer.overlays[r.key]))

  return (
    <div className="app" data-testid="app">
      {info?.demo && <div className="banner" data-testid="demo-banner">{info.demo_notice}</div>}
      <aside className="sidebar">
        <header>
          <h1>VoxTell Web</h1>
          {info && <span className="model" data-testid="model-info">{info.model_name} · {info.device}</span>}
        </header>
        <SessionBar me={session.me} onSignOut={() => {
          session.signOut()
          setPage(null)
        }} onAdmin={() => setPage('admin')} onTokens={() => setPage('tokens')} onWorklist={() => setPage('worklist')} />
        <UploadPanel cases={ws.cases} current={ws.current?.volumeId ?? null} progress={ws.uploadProgress}
          onFiles={(files) => void openFiles(files)} onSelect={ws.selectCase} onClose={setClosing}
          projects={session.me?.projects ?? []} project={ws.project} onProject={ws.setProject} />
        {session.me && <MyCases cases={myCases.data} me={session.me.id} projects={session.me.projects} onRefresh={myCases.reload}
          localName={(volumeId) => ws.cases.find((c) => c.volumeId === volumeId)?.name ?? null}
          onOpen={({ volume, jobs }) => ws.openStored(volume, `${volume.modality ?? 'volume'} ${volume.shape.join('×')}`,
            jobs.filter((j) => j.status !== 'failed' && j.status !== 'cancelled').map((j) => j.id).reverse())} />}
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
        <PromptPanel api={api} disabled={!ws.volume} onRun={ws.run} protocols={protocols.protocols}
          modality={ws.volume?.modality} onRunProtocol={(id) => void runProtocol(id)} />
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
        <MeasurePanel measurements={measurements} disabled={!onCurrent || !!editing} unit={ws.volume?.intensity_unit ?? null}
          onCsv={() => saveBlob(new Blob([measurementsCsv(measurements.list, ws.volume?.intensity_unit ?? null)],
            { type: 'text/csv' }), downloadName(caseName, 'measurements'))} />
        <DrawingPanel rows={ws.results} canSave={doneJobs.length > 0} unit={ws.volume?.intensity_unit ?? null}
          onBrush={viewer.setBrush} onTool={viewer.setTool} onUndo={viewer.undo}
          fill={viewer.fillPending} onFill={viewer.fillBetween} onAcceptFill={viewer.acceptFill}
          onStart={async (row) => {
            try {
              const jobId = row?.jobId ?? doneJobs[doneJobs.length - 1]
              // The brush paints in the mask's colour (a new mask's: the next free one of the case), the
              // colour it keeps once saved.
              const color = row?.color ?? nextFreeColor(ws.results.map((r) => r.color))
              await viewer.startDrawing(row ? await api.mask(row.jobId, row.index) : null, row?.key ?? null, color)
              setEditing({ jobId, row, color })
              return true
            } catch (err) {
              reportErr(err)
              return false
            }
          }}
          onFinish={async (keep, name) => {
            try {
              const bytes = await viewer.finishDrawing(keep)
              if (keep && bytes && editing) await ws.saveEdited(editing.jobId, bytes, name, editing.color, editing.row?.index)
            } catch (err) {
              reportErr(err)
            } finally {
              setEditing(null)
            }
          }} />
      </aside>
      <main className="viewer">
        <PatientBanner fields={ws.volume ? bannerFields(ws.volume, ws.current?.name) : null} />
        <ViewerToolbar view={prefs.view} options={prefs} onView={(view) => setPrefs({ view })} onOptions={setPrefs}
          onZoom={viewer.zoom} onResetZoom={viewer.resetZoom} onHelp={() => setHelp(true)} />
        <WindowControls modality={ws.volume?.modality} range={onCurrent ? viewer.range : null}
          window={onCurrent ? viewer.window : null} onWindow={viewer.setWindow} />
        <Notices error={error} onDismiss={() => setError(null)} />
        <div className="canvas-wrap" data-testid="viewer" data-overlays={viewer.overlayCount}
          data-live-window={viewer.liveWindow ? 'on' : 'off'} data-webgl={viewer.softwareWebGL ? 'software' : 'gpu'}
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
      {page === 'admin' && session.me?.role === 'admin' && (
        <AdminPage api={api} onError={reportErr} onClose={() => {
          setPage(null)
          protocols.reload() // the protocols may have changed
        }} />
      )}
      {page === 'tokens' && session.me && <MyTokens api={api} onError={reportErr} onClose={() => setPage(null)} />}
      {page === 'worklist' && <WorklistPage api={api} onError={reportErr} onClose={() => setPage(null)}
        onOpen={(series: DicomSeriesInfo) => {
          // As the case list does: the volume, with the series' job (its masks, as edited since).
          if (!series.volume_id) return
          api.volume(series.volume_id).then((volume) => {
            ws.openStored(volume, series.series_description || `${series.modality ?? 'DICOM'} from ${series.calling_ae ?? 'node'}`,
              series.job_id ? [series.job_id] : [])
            setPage(null)
          }).catch(reportErr)
        }} />}
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
    </div>
  )
}
