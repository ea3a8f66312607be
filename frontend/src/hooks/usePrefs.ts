/** Viewer preferences remembered in this browser (localStorage): convention, view, crosshair, fill/outline. */

import { useCallback, useState } from 'react'
import type { ViewerOptions } from '../components/ViewerToolbar'
import type { ViewName } from './useNiivue'

const KEY = 'voxtell-web-viewer'
const VIEWS: ViewName[] = ['axial', 'coronal', 'sagittal', 'multiplanar', 'render']

export interface Prefs extends ViewerOptions {
  view: ViewName
}

/** Radiological by default (patient left on screen right), as reading rooms expect. */
export const DEFAULT_PREFS: Prefs = { radiological: true, crosshair: true, outline: false, pan: false, view: 'multiplanar' }

export function loadPrefs(storage: Pick<Storage, 'getItem'>): Prefs {
  try {
    const raw = JSON.parse(storage.getItem(KEY) ?? '{}') as Partial<Prefs>
    const bool = (k: keyof ViewerOptions) => (typeof raw[k] === 'boolean' ? raw[k] as boolean : DEFAULT_PREFS[k])
    return { radiological: bool('radiological'), crosshair: bool('crosshair'), outline: bool('outline'), pan: false,
      view: VIEWS.includes(raw.view as ViewName) ? raw.view as ViewName : DEFAULT_PREFS.view }
  } catch {
    return DEFAULT_PREFS
  }
}

export function usePrefs() {
  const [prefs, setPrefs] = useState<Prefs>(() => loadPrefs(window.localStorage))
  const change = useCallback((update: Partial<Prefs>) => setPrefs((p) => {
    const next = { ...p, ...update }
    window.localStorage.setItem(KEY, JSON.stringify(next))
    return next
  }), [])
  return [prefs, change] as const
}
