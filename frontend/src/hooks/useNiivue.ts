/**
 * The viewer: one NiiVue instance in a ref, and everything the app does with it — the base
 * volume, window/level, views, radiological or neurological convention, crosshair, slices, zoom
 * and pan, the readout, the mask overlays and drawing. The NiiVue adapters those two use (no
 * React) are in src/viewer/: overlays.ts and drawing.ts.
 */

import { DRAG_MODE, Niivue, SLICE_TYPE, type NVImage } from '@niivue/niivue'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Brush } from '../lib/brush'
import type { Rgb } from '../lib/colors'
import type { IntensityRange, WindowLevel } from '../lib/windowing'
import { installBrush, penFor, type DrawTool } from '../viewer/drawing'
import { acceptFill, hasPreview, previewFill, type FillResult } from '../viewer/fill'
import { MaskLayers, type OverlaySpec, type OverlayState } from '../viewer/overlays'
import { installAnnotations } from '../viewer/annotations'
import { installVoxelSnap, isSnapped, snapFrac } from '../viewer/voxels'
import { LiveWindow } from '../viewer/liveWindow'
import { installParseTask } from '../viewer/parseTask'
import { installRangeScan } from '../viewer/rangeScan'
import { skipUnreadGradients } from '../viewer/gradient'
import { RenderCache } from '../viewer/renderCache'
import { isSoftwareRenderer, surfaceCells, webglRenderer } from '../viewer/renderer'
import { crosshairPoint, drawMeasurements, imageRoi } from '../viewer/measure'
import type { MeasurePoint, Measurement } from '../lib/measurements'

export type { DrawTool } from '../viewer/drawing'
export type { OverlaySpec, OverlayState } from '../viewer/overlays'
export type ViewName = 'axial' | 'coronal' | 'sagittal' | 'multiplanar' | 'render'
/** 0 axial, 1 coronal, 2 sagittal (NiiVue's numbering). */
export type Plane = 0 | 1 | 2
export type Mm = [number, number, number]

const SLICE: Record<ViewName, SLICE_TYPE> = {
  axial: SLICE_TYPE.AXIAL,
  coronal: SLICE_TYPE.CORONAL,
  sagittal: SLICE_TYPE.SAGITTAL,
  multiplanar: SLICE_TYPE.MULTIPLANAR,
  render: SLICE_TYPE.RENDER,
}
/** The RAS voxel axis each plane steps through: axial along S, coronal along A, sagittal along R. */
const AXIS: Record<Plane, number> = { 0: 2, 1: 1, 2: 0 }
const CROSSHAIR_WIDTH = 0.25 // percent of the field of view: a thin line

/** What the crosshair points at: world RAS mm, the voxel in the file's own axis order, the intensity. */
export interface Readout {
  volume: string
  mm: Mm
  voxel: Mm
  value: number | null
}

export interface SliceInfo {
  index: number
  count: number
}

interface BaseOptions {
  key: string
  fileName: string
  /** the window to open with, from the volume's intensity range */
  window: (range: IntensityRange) => WindowLevel
  crosshairMm: Mm | null
  /** the volume's whole intensity range (the server read every voxel; NiiVue looks at its centre) */
  intensity: [number, number]
}

interface Location {
  mm?: number[]
  vox?: number[]
  axCorSag?: number
  values?: { value?: number }[]
}

export function useNiivue(onError: (err: unknown) => void, radiological: boolean) {
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  const nvRef = useRef<Niivue | null>(null)
  const layersRef = useRef<MaskLayers | null>(null)
  const liveRef = useRef<LiveWindow | null>(null)
  const [liveWindow, setLiveWindow] = useState(false) // window/level applied at draw time (liveWindow.ts)
  const [softwareWebGL] = useState(() => isSoftwareRenderer(webglRenderer())) // no antialiasing then (renderer.ts)
  const loadedRef = useRef<string | null>(null)
  /** counts the openings begun: an opening that another has followed since stops where it is */
  const openingRef = useRef(0)
  const brushRef = useRef<Brush>({ diameterMm: 5, shape: 'disc', range: null })
  const onErrorRef = useRef(onError)
  onErrorRef.current = onError
  const [ready, setReady] = useState(false)
  const [loaded, setLoaded] = useState<string | null>(null)
  const [readout, setReadout] = useState<Readout | null>(null)
  const [slices, setSlices] = useState<SliceInfo[] | null>(null)
  const [windowLevel, setWindowState] = useState<WindowLevel | null>(null)
  const [range, setRange] = useState<IntensityRange | null>(null)
  const [activePlane, setActivePlane] = useState<Plane>(0)
  const planeRef = useRef<Plane>(0) // the view of the last click (for measurements)
  const measurementsRef = useRef<readonly Measurement[]>([])
  const [overlays, setOverlays] = useState<Record<string, OverlayState>>({})
  const [overlayCount, setOverlayCount] = useState(0)
  const [syncing, setSyncing] = useState(false)
  const [fillPending, setFillPending] = useState<FillResult | null>(null) // a fill between slices not accepted yet

  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || nvRef.current) return
    installRangeScan() // NiiVue's intensity range scan, faster (viewer/rangeScan.ts)
    installParseTask() // and its parsing in a task of its own (viewer/parseTask.ts)
    const nv = new Niivue({
      backColor: [0.05, 0.06, 0.08, 1], isColorbar: false, show3Dcrosshair: true, dragAndDropEnabled: false,
      isRadiologicalConvention: radiological, showAllOrientationMarkers: true, crosshairWidth: CROSSHAIR_WIDTH,
      crosshairWidthUnit: 'percent', crosshairColor: [0.2, 0.75, 1, 0.9], isRuler: true, rulerColor: [0.85, 0.85, 0.85, 0.9], isOrientCube: true,
      loadingText: '',
      multiplanarForceRender: true, multiplanarPadPixels: 6, meshThicknessOn2D: 0, renderOverlayBlend: 0, meshXRay: 0.4,
      isNearestInterpolation: true, keyDebounceTime: 0,
      mouseEventConfig: { leftButton: { primary: DRAG_MODE.crosshair, withShift: DRAG_MODE.pan },
        rightButton: DRAG_MODE.windowing, centerButton: DRAG_MODE.pan },
    })
    // Masks nearest-neighbour (crisp), the image itself interpolated: NiiVue has one switch for both.
    const interpolate = nv.updateInterpolation.bind(nv)
    nv.updateInterpolation = (layer: number, isForceLinear = false) => interpolate(layer, layer === 0 || isForceLinear)
    // A scale bar on every 2D view and the case's measurements; what is drawn recorded on the canvas.
    installAnnotations(nv, () => drawMeasurements(nv, measurementsRef.current))
    nvRef.current = nv
    layersRef.current = new MaskLayers(nv, () => {
      const layers = layersRef.current
      if (!layers) return
      setOverlays(layers.states())
      setOverlayCount(layers.count())
    }, surfaceCells(softwareWebGL))
    installBrush(nv, () => brushRef.current, () => layersRef.current?.afterStroke())
    installVoxelSnap(nv)
    nv.onLocationChange = (location: unknown) => {
      const loc = location as Location
      const key = loadedRef.current
      if (!loc.mm || !loc.vox || !key || !nv.back) return
      // The crosshair on a voxel centre whatever moved it (clicks are snapped already: viewer/voxels.ts).
      if (!isSnapped(nv, nv.scene.crosshairPos)) {
        nv.scene.crosshairPos = snapFrac(nv, nv.scene.crosshairPos)
        loc.mm = Array.from(nv.frac2mm(nv.scene.crosshairPos, 0, true))
        nv.drawScene()
      }
      const fileVoxel = rasToFileVoxel(nv, loc.vox)
      setReadout({ volume: key, mm: [loc.mm[0], loc.mm[1], loc.mm[2]], voxel: fileVoxel,
        value: loc.values?.[0]?.value ?? null })
      const dims = nv.back.dimsRAS!
      setSlices([0, 1, 2].map((p) => ({ index: loc.vox![AXIS[p as Plane]], count: dims[AXIS[p as Plane] + 1] })))
      if (loc.axCorSag !== undefined && loc.axCorSag >= 0 && loc.axCorSag <= 2) {
        planeRef.current = loc.axCorSag as Plane
        setActivePlane(loc.axCorSag as Plane)
      }
    }
    // The window fields follow a right-drag (NiiVue reports its end as a mouse-up) and a double-click reset.
    const readWindow = () => {
      const back = nv.back
      if (back?.cal_min === undefined || back.cal_max === undefined || !loadedRef.current) return
      const w = { center: (back.cal_min + back.cal_max) / 2, width: back.cal_max - back.cal_min }
      setWindowState((old) => (old && old.center === w.center && old.width === w.width ? old : w))
    }
    nv.onIntensityChange = readWindow
    nv.onMouseUp = readWindow
    nv.attachToCanvas(canvas, softwareWebGL ? false : null).then(() => {
      skipUnreadGradients(nv)
      // false: the 3D view is drawn in every frame, as NiiVue does
      if (layersRef.current) new RenderCache(nv, layersRef.current.uploadsNotIn3D, softwareWebGL ? 4 : 1).install()
      const live = new LiveWindow(nv)
      live.install() // false: windowing stays NiiVue's own (its bakes are still managed here)
      liveRef.current = live
      setReady(true)
    }).catch(onErrorRef.current)
    // eslint-disable-next-line react-hooks/exhaustive-deps -- created once; the convention is set below
  }, [])

  useEffect(() => {
    const nv = nvRef.current
    if (nv && ready) nv.setRadiologicalConvention(radiological)
  }, [radiological, ready])

  const loadBase = useCallback(async (blob: Blob, options: BaseOptions) => {
    const nv = nvRef.current
    if (!nv) return
    const opening = ++openingRef.current
    loadedRef.current = null
    setLoaded(null)
    setReadout(null)
    setSlices(null)
    layersRef.current?.reset()
    liveRef.current?.reset()
    setLiveWindow(false)
    if (nv.drawBitmap) nv.closeDrawing()
    /** The case's window on the volume (idempotent): set before NiiVue's first bake of it as well, so
     * that one bake serves (the ``updateGLVolume`` below then has nothing to redo). */
    const openingWindow = (back: NVImage) => {
      // A right-drag's window is clamped to NiiVue's global range, which it takes from the volume's centre.
      back.global_min = Math.min(options.intensity[0], back.global_min ?? Infinity)
      back.global_max = Math.max(options.intensity[1], back.global_max ?? -Infinity)
      const intensity: IntensityRange = {
        robustMin: back.robust_min ?? back.cal_min ?? 0, robustMax: back.robust_max ?? back.cal_max ?? 1,
        min: back.global_min, max: back.global_max,
      }
      const w = options.window(intensity)
      back.cal_min = w.center - w.width / 2
      back.cal_max = w.center + w.width / 2
      return { intensity, w }
    }
    liveRef.current?.beforeFirstBake(openingWindow)
    const url = URL.createObjectURL(blob)
    try {
      // An object URL has no extension; NiiVue picks its reader from the name.
      await nv.loadVolumes([{ url, name: options.fileName, colormap: 'gray' }])
    } finally {
      URL.revokeObjectURL(url)
      liveRef.current?.beforeFirstBake(null)
    }
    const volume = nv.volumes[0]
    const { intensity, w } = openingWindow(volume)
    setRange(intensity)
    setWindowState(w)
    nv.setPan2Dxyzmm([0, 0, 0, 1])
    // The voxel the case had (kept as its centre in world mm: the readout's mm), else the middle one.
    nv.scene.crosshairPos = snapFrac(nv, options.crosshairMm ? clampFrac(nv.mm2frac(options.crosshairMm, 0, true)) : [0.5, 0.5, 0.5])
    nv.updateGLVolume()
    // Window/level at draw time from here on (viewer/liveWindow.ts); the upload is spread over tasks.
    const live = liveRef.current
    const bakeLeftToLive = live?.firstBakePending ?? false
    const loading = live?.load()
    if (bakeLeftToLive && loading) {
      // NiiVue's first bake left the voxels to the live window: the 2D views show the image once they are up.
      const on = await loading
      if (openingRef.current !== opening) return // another case is opening, or none is open
      setLiveWindow(on)
    } else {
      void loading?.then((on) => { if (on && loadedRef.current === options.key) setLiveWindow(true) })
    }
    loadedRef.current = options.key
    setLoaded(options.key)
    nv.createOnLocationChange()
  }, [])

  /** Nothing on screen (no case open). */
  const clear = useCallback(() => {
    const nv = nvRef.current
    openingRef.current++
    loadedRef.current = null
    setLoaded(null)
    setReadout(null)
    setSlices(null)
    setWindowState(null)
    setLiveWindow(false)
    if (!nv) return
    liveRef.current?.reset()
    layersRef.current?.reset()
    if (nv.drawBitmap) nv.closeDrawing()
    for (const volume of [...nv.volumes].reverse()) nv.removeVolume(volume)
    nv.drawScene()
  }, [])

  const setWindow = useCallback((w: WindowLevel) => {
    const back = nvRef.current?.volumes[0]
    if (!back) return
    back.cal_min = w.center - w.width / 2
    back.cal_max = w.center + w.width / 2
    // The image's layer only, as NiiVue's own right-drag does (a uniform once viewer/liveWindow.ts has
    // the intensities; a rebake of every voxel before): updateGLVolume would redraw every mask too.
    nvRef.current!.refreshLayers(back, 0)
    nvRef.current!.drawScene()
    setWindowState(w)
  }, [])

  const setView = useCallback((view: ViewName) => {
    const nv = nvRef.current
    if (!nv) return
    nv.setSliceType(SLICE[view])
    if (view === 'render' || view === 'multiplanar') liveRef.current?.bakeIfStale()
    if (view === 'axial' || view === 'coronal' || view === 'sagittal') setActivePlane(SLICE[view] as Plane)
    layersRef.current?.setSurfaces(view === 'render' || view === 'multiplanar')
  }, [])

  const setCrosshairVisible = useCallback((visible: boolean) => {
    const nv = nvRef.current
    if (!nv) return
    nv.opts.show3Dcrosshair = visible
    nv.setCrosshairWidth(visible ? CROSSHAIR_WIDTH : 0)
  }, [])

  const moveTo = useCallback((frac: number[]) => {
    const nv = nvRef.current
    if (!nv?.volumes.length) return
    nv.scene.crosshairPos = snapFrac(nv, clampFrac(frac))
    nv.drawScene()
    // Moving the crosshair from code fires no location event; raise one so the readout follows.
    nv.createOnLocationChange()
  }, [])

  /** Show slice ``index`` (0-based, NiiVue's RAS voxel order) of ``plane``. */
  const setSlice = useCallback((plane: Plane, index: number) => {
    const nv = nvRef.current
    if (!nv?.volumes.length) return
    const vox = Array.from(nv.frac2vox(nv.scene.crosshairPos))
    const count = nv.back!.dimsRAS![AXIS[plane] + 1]
    vox[AXIS[plane]] = Math.max(0, Math.min(count - 1, Math.round(index)))
    moveTo(Array.from(nv.vox2frac(vox as Mm)))
  }, [moveTo])

  const step = useCallback((delta: number) => {
    const nv = nvRef.current
    if (!nv?.volumes.length) return
    const vox = nv.frac2vox(nv.scene.crosshairPos)
    setSlice(activePlane, vox[AXIS[activePlane]] + delta)
  }, [activePlane, setSlice])

  const goToMm = useCallback((mm: Mm) => {
    const nv = nvRef.current
    if (nv?.volumes.length) moveTo(Array.from(nv.mm2frac(mm, 0, true)))
  }, [moveTo])

  const zoom = useCallback((factor: number) => {
    const nv = nvRef.current
    if (!nv) return
    const [x, y, z, scale] = nv.scene.pan2Dxyzmm
    nv.setPan2Dxyzmm([x, y, z, Math.max(0.25, Math.min(16, scale * factor))])
  }, [])
  const resetZoom = useCallback(() => nvRef.current?.setPan2Dxyzmm([0, 0, 0, 1]), [])
  /** Left-drag pans and the wheel zooms (else left-click moves the crosshair and the wheel steps slices). */
  const setPanMode = useCallback((pan: boolean) => {
    const nv = nvRef.current
    if (!nv) return
    nv.opts.dragMode = pan ? DRAG_MODE.pan : DRAG_MODE.windowing
    nv.setMouseEventConfig({ leftButton: { primary: pan ? DRAG_MODE.pan : DRAG_MODE.crosshair, withShift: DRAG_MODE.pan },
      rightButton: DRAG_MODE.windowing, centerButton: DRAG_MODE.pan })
  }, [])

  // Overlays: one sync at a time; a request while one runs is done (with the latest specs) after it.
  const specsRef = useRef<OverlaySpec[]>([])
  const running = useRef(false)
  const dirty = useRef(false)
  const syncOverlays = useCallback(async (specs: OverlaySpec[]) => {
    specsRef.current = specs
    const layers = layersRef.current
    if (!layers || !loadedRef.current) return
    if (running.current) {
      dirty.current = true
      return
    }
    running.current = true
    setSyncing(true)
    try {
      do {
        dirty.current = false
        await layers.sync(specsRef.current)
      } while (dirty.current)
    } catch (err) {
      onErrorRef.current(err)
    } finally {
      running.current = false
      setSyncing(false)
    }
  }, [])
  const setOutline = useCallback((outline: boolean) => layersRef.current?.setOutline(outline), [])

  /** Edit mask ``editKey`` (its voxels from ``mask`` when it is not on screen) or draw a new one (both null). */
  const startDrawing = useCallback(async (mask: Blob | null, editKey: string | null, color: Rgb) => {
    const nv = nvRef.current
    const layers = layersRef.current
    if (!nv?.volumes.length || !layers) return
    await layers.beginEdit(editKey, mask, color)
    nv.setDrawingEnabled(true)
    nv.setPenValue(1, false)
  }, [])

  const setTool = useCallback((tool: DrawTool) => {
    const [value, filled] = penFor(tool)
    nvRef.current?.setPenValue(value, filled)
  }, [])
  const setBrush = useCallback((brush: Brush) => {
    brushRef.current = brush
  }, [])
  const undo = useCallback(() => {
    const nv = nvRef.current
    if (!layersRef.current?.editing) return // the drawing layer holds every mask: only an edit's strokes are undone
    nv?.drawUndo()
    if (!nv || !hasPreview(nv)) setFillPending(null)
  }, [])
  /** Fill between the slices drawn along the slice axis of the view in use: a preview until accepted (or undone). */
  const fillBetween = useCallback(() => {
    const result = nvRef.current ? previewFill(nvRef.current, AXIS[activePlane]) : null
    setFillPending(result?.voxels ? result : null)
    return result
  }, [activePlane])
  const acceptFillPreview = useCallback(() => {
    if (nvRef.current) acceptFill(nvRef.current)
    setFillPending(null)
  }, [])
  /** The voxel last clicked, in the view clicked (measurements); the image over a rectangle of them. */
  const measurePoint = useCallback(() => (nvRef.current ? crosshairPoint(nvRef.current, planeRef.current) : null), [])
  const measureRoi = useCallback((a: MeasurePoint, b: MeasurePoint) => (nvRef.current ? imageRoi(nvRef.current, a, b) : null), [])
  /** The measurements drawn on the views (those on the slice shown). */
  const setMeasurements = useCallback((list: readonly Measurement[]) => {
    measurementsRef.current = list
    nvRef.current?.drawScene()
  }, [])

  /** Stop drawing; with ``keep`` returns the drawing as NIfTI bytes in the volume's own geometry. */
  const finishDrawing = useCallback(async (keep: boolean) => {
    const nv = nvRef.current
    if (!nv) return null
    let bytes: Uint8Array | null = null
    setFillPending(null)
    const layers = layersRef.current
    if (keep && layers) {
      acceptFill(nv) // a fill still in preview is saved with the drawing
      const edited = layers.editedMask()
      const drawing = nv.drawBitmap
      if (edited) {
        // NiiVue writes its drawing in the volume's own geometry: the edited mask alone, as 0/1.
        nv.drawBitmap = edited
        try {
          const saved = await nv.saveImage({ filename: '', isSaveDrawing: true, volumeByIndex: 0 })
          bytes = saved instanceof Uint8Array ? saved : null
        } finally {
          nv.drawBitmap = drawing
        }
      }
    }
    nv.setDrawingEnabled(false)
    layers?.endEdit()
    void syncOverlays(specsRef.current)
    return bytes
  }, [syncOverlays])

  return {
    canvasRef, ready, loaded, liveWindow, softwareWebGL, readout, slices, window: windowLevel, range, activePlane, overlays, overlayCount,
    overlaysSettled: !syncing && !Object.values(overlays).includes('loading'),
    loadBase, clear, setWindow, setView, setCrosshairVisible, setSlice, step, goToMm, zoom, resetZoom, setPanMode,
    syncOverlays, setOutline, startDrawing, setTool, setBrush, undo, finishDrawing, measurePoint, measureRoi, setMeasurements,
    fillPending, fillBetween, acceptFill: acceptFillPreview,
  }
}

export type Viewer = ReturnType<typeof useNiivue>

function clampFrac(frac: ArrayLike<number>): [number, number, number] {
  return [0, 1, 2].map((i) => Math.max(0, Math.min(1, Number.isFinite(frac[i]) ? frac[i] : 0.5))) as [number, number, number]
}

/** NiiVue's voxel (RAS order) as the voxel of the file's own axis order (NiiVue's mapping to its data). */
function rasToFileVoxel(nv: Niivue, ras: number[]): Mm {
  const back = nv.back!
  const start = back.img2RASstart!
  const stepRas = back.img2RASstep!
  const native = start[0] + ras[0] * stepRas[0] + start[1] + ras[1] * stepRas[1] + start[2] + ras[2] * stepRas[2]
  const [nx, ny] = [back.hdr!.dims[1], back.hdr!.dims[2]]
  return [native % nx, Math.floor(native / nx) % ny, Math.floor(native / (nx * ny))]
}
