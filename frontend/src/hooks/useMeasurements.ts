/**
 * The measurements of the current case: a distance (two clicks) or an ROI (two opposite corners
 * on one slice) taken from the voxels clicked in any 2D view, listed, kept per case in this
 * browser's localStorage (lib/measurements.ts) and restored when the case is opened again.
 */

import { useCallback, useEffect, useRef, useState, type RefObject } from 'react'
import { distanceMm, loadMeasurements, sameSlice, saveMeasurements, type MeasurePoint, type Measurement,
  type RoiStats } from '../lib/measurements'

export type MeasureMode = 'distance' | 'roi'

interface Sources {
  canvasRef: RefObject<HTMLCanvasElement | null>
  measurePoint: () => MeasurePoint | null
  measureRoi: (a: MeasurePoint, b: MeasurePoint) => RoiStats | null
}

/** A click moves the crosshair to a voxel; a press and release farther apart than this is a drag. */
const CLICK_PX = 4

export function useMeasurements(volumeId: string | null, viewer: Sources) {
  const [list, setList] = useState<Measurement[]>([])
  const [mode, setMode] = useState<MeasureMode | null>(null)
  const [first, setFirst] = useState<MeasurePoint | null>(null)
  const loadedFor = useRef<string | null>(null)

  useEffect(() => {
    loadedFor.current = volumeId
    setList(volumeId ? loadMeasurements(window.localStorage, volumeId) : [])
    setMode(null)
    setFirst(null)
  }, [volumeId])

  const change = useCallback((next: (old: Measurement[]) => Measurement[]) => {
    setList((old) => {
      const updated = next(old)
      if (loadedFor.current) saveMeasurements(window.localStorage, loadedFor.current, updated)
      return updated
    })
  }, [])

  const { canvasRef, measurePoint, measureRoi } = viewer
  const modeRef = useRef(mode)
  modeRef.current = mode
  const firstRef = useRef(first)
  firstRef.current = first
  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || !mode) return
    let down: [number, number] | null = null
    const onDown = (e: PointerEvent) => {
      down = e.button === 0 ? [e.clientX, e.clientY] : null
    }
    let timer = 0
    const onUp = (e: MouseEvent) => {
      if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > CLICK_PX) return
      down = null
      // After NiiVue's own handlers (pointer or mouse events) moved the crosshair to the clicked voxel.
      timer = window.setTimeout(take, 0)
    }
    const take = () => {
      const point = measurePoint()
      const a = firstRef.current
      const kind = modeRef.current
      if (!point || !kind) return
      // An ROI's second corner on another slice or view starts again from there.
      if (!a || a.plane !== point.plane || (kind === 'roi' && !sameSlice(a, point))) {
        setFirst(point)
        return
      }
      const stats = kind === 'roi' ? measureRoi(a, point) : null
      change((old) => {
        const id = old.reduce((m, x) => Math.max(m, x.id), 0) + 1
        return [...old, kind === 'distance' || !stats ? { id, kind: 'distance', a, b: point, mm: distanceMm(a.mm, point.mm) }
          : { id, kind: 'roi', a, b: point, stats }]
      })
      setFirst(null)
      setMode(null)
    }
    canvas.addEventListener('pointerdown', onDown)
    window.addEventListener('mouseup', onUp)
    return () => {
      window.clearTimeout(timer)
      canvas.removeEventListener('pointerdown', onDown)
      window.removeEventListener('mouseup', onUp)
    }
  }, [canvasRef, mode, measurePoint, measureRoi, change])

  const start = useCallback((next: MeasureMode | null) => {
    setMode(next)
    setFirst(null)
  }, [])
  const remove = useCallback((id: number) => change((old) => old.filter((m) => m.id !== id)), [change])
  const clear = useCallback(() => change(() => []), [change])
  return { list, mode, first, start, remove, clear }
}

export type Measurements = ReturnType<typeof useMeasurements>
