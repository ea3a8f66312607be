/** The NiiVue instance lives in a ref; this hook exposes the few operations the app needs. */

import { Niivue, SLICE_TYPE } from '@niivue/niivue'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Rgb } from '../lib/colors'

export type ViewName = 'axial' | 'coronal' | 'sagittal' | 'multiplanar' | 'render'

const SLICE: Record<ViewName, SLICE_TYPE> = {
  axial: SLICE_TYPE.AXIAL,
  coronal: SLICE_TYPE.CORONAL,
  sagittal: SLICE_TYPE.SAGITTAL,
  multiplanar: SLICE_TYPE.MULTIPLANAR,
  render: SLICE_TYPE.RENDER,
}

export interface CursorInfo {
  mm: [number, number, number]
  value: number | null
}

export type DrawTool = 'pen' | 'filled' | 'eraser'

export interface NiivueApi {
  canvasRef: React.RefObject<HTMLCanvasElement | null>
  ready: boolean
  cursor: CursorInfo | null
  loadBase: (url: string, fileName: string) => Promise<void>
  addMask: (key: string, url: string, color: Rgb, opacity: number) => Promise<void>
  removeMask: (key: string) => void
  hasMask: (key: string) => boolean
  maskKeys: () => string[]
  setMaskOpacity: (key: string, opacity: number) => void
  setView: (view: ViewName) => void
  setWindow: (center: number, width: number) => void
  goToVoxel: (rasVoxel: [number, number, number]) => void
  startDrawing: (maskUrl: string | null) => Promise<void>
  setTool: (tool: DrawTool) => void
  undo: () => void
  finishDrawing: (keep: boolean) => Promise<Uint8Array | null>
}

export function useNiivue(): NiivueApi {
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  const nvRef = useRef<Niivue | null>(null)
  const masks = useRef(new Map<string, unknown>())
  // Keys whose overlay is being fetched/decoded, so two effect runs never add the same mask twice.
  const loading = useRef(new Set<string>())
  const [ready, setReady] = useState(false)
  const [cursor, setCursor] = useState<CursorInfo | null>(null)

  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || nvRef.current) return
    const nv = new Niivue({ show3Dcrosshair: true, backColor: [0.05, 0.06, 0.08, 1], isColorbar: false })
    nvRef.current = nv
    nv.onLocationChange = (location: unknown) => {
      const loc = location as { mm?: number[]; values?: { value?: number }[] }
      if (!loc.mm) return
      setCursor({ mm: [loc.mm[0], loc.mm[1], loc.mm[2]], value: loc.values?.[0]?.value ?? null })
    }
    nv.attachToCanvas(canvas)
      .then(() => setReady(true))
      .catch(() => setReady(false))
  }, [])

  const loadBase = useCallback(async (url: string, fileName: string) => {
    const nv = nvRef.current
    if (!nv) return
    masks.current.clear()
    // An object URL has no extension; NiiVue picks its reader from the name.
    await nv.loadVolumes([{ url, name: fileName, colormap: 'gray' }])
  }, [])

  const addMask = useCallback(async (key: string, url: string, color: Rgb, opacity: number) => {
    const nv = nvRef.current
    if (!nv || masks.current.has(key) || loading.current.has(key)) return
    loading.current.add(key)
    const cmap = `vt-${key}`
    nv.addColormap(cmap, { R: [0, color[0]], G: [0, color[1]], B: [0, color[2]], A: [0, 255], I: [0, 255] })
    let image: Awaited<ReturnType<Niivue['addVolumeFromUrl']>>
    try {
      image = await nv.addVolumeFromUrl({ url, name: `${key}.nii.gz`, colormap: cmap, opacity })
    } finally {
      loading.current.delete(key)
    }
    image.cal_min = 0.5
    image.cal_max = 1
    masks.current.set(key, image)
    nv.updateGLVolume()
  }, [])

  const removeMask = useCallback((key: string) => {
    const nv = nvRef.current
    const image = masks.current.get(key)
    if (!nv || !image) return
    nv.removeVolume(image as Parameters<Niivue['removeVolume']>[0])
    masks.current.delete(key)
  }, [])

  const hasMask = useCallback((key: string) => masks.current.has(key), [])
  const maskKeys = useCallback(() => Array.from(masks.current.keys()), [])

  const setMaskOpacity = useCallback((key: string, opacity: number) => {
    const nv = nvRef.current
    const image = masks.current.get(key)
    if (!nv || !image) return
    const index = nv.volumes.indexOf(image as (typeof nv.volumes)[number])
    if (index >= 0) nv.setOpacity(index, opacity)
  }, [])

  const setView = useCallback((view: ViewName) => {
    nvRef.current?.setSliceType(SLICE[view])
  }, [])

  const setWindow = useCallback((center: number, width: number) => {
    const nv = nvRef.current
    const base = nv?.volumes[0]
    if (!nv || !base) return
    base.cal_min = center - width / 2
    base.cal_max = center + width / 2
    nv.updateGLVolume()
  }, [])

  const goToVoxel = useCallback((vox: [number, number, number]) => {
    const nv = nvRef.current
    if (!nv || !nv.volumes.length) return
    nv.scene.crosshairPos = nv.vox2frac(vox)
    nv.updateGLVolume()
    // Moving the crosshair from code fires no location event; raise one so the mm/intensity readout follows.
    nv.createOnLocationChange()
  }, [])

  const startDrawing = useCallback(async (maskUrl: string | null) => {
    const nv = nvRef.current
    if (!nv || !nv.volumes.length) return
    if (maskUrl) await nv.loadDrawingFromUrl(maskUrl, true)
    else nv.createEmptyDrawing()
    nv.setDrawingEnabled(true)
    nv.setPenValue(1, false)
    nv.setDrawOpacity(0.7)
  }, [])

  const setTool = useCallback((tool: DrawTool) => {
    nvRef.current?.setPenValue(tool === 'eraser' ? 0 : 1, tool === 'filled')
  }, [])

  const undo = useCallback(() => nvRef.current?.drawUndo(), [])

  /** Stop drawing; with ``keep`` returns the drawing as NIfTI bytes in the volume's own geometry. */
  const finishDrawing = useCallback(async (keep: boolean) => {
    const nv = nvRef.current
    if (!nv) return null
    let bytes: Uint8Array | null = null
    if (keep) {
      const saved = await nv.saveImage({ filename: '', isSaveDrawing: true, volumeByIndex: 0 })
      bytes = saved instanceof Uint8Array ? saved : null
    }
    nv.setDrawingEnabled(false)
    nv.closeDrawing()
    return bytes
  }, [])

  return {
    canvasRef, ready, cursor, loadBase, addMask, removeMask, hasMask, maskKeys, setMaskOpacity, setView, setWindow, goToVoxel,
    startDrawing, setTool, undo, finishDrawing,
  }
}
