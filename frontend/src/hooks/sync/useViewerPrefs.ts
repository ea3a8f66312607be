/**
 * The viewer follows the preferences (usePrefs): the view, fill or outline, the crosshair shown or
 * not, left-drag panning. Each is set again when the viewer becomes ready; the outline also when a
 * volume is shown (its overlays are new).
 */

import { useEffect } from 'react'
import type { Viewer } from '../useNiivue'
import type { Prefs } from '../usePrefs'

export function useViewerPrefs(
  viewer: Pick<Viewer, 'ready' | 'setView' | 'setOutline' | 'setCrosshairVisible' | 'setPanMode'>,
  prefs: Prefs,
  onCurrent: boolean,
) {
  const { ready, setView, setOutline, setCrosshairVisible, setPanMode } = viewer
  useEffect(() => {
    if (ready) setView(prefs.view)
  }, [ready, prefs.view, setView])
  useEffect(() => setOutline(prefs.outline), [prefs.outline, setOutline, onCurrent])
  useEffect(() => setCrosshairVisible(prefs.crosshair), [prefs.crosshair, setCrosshairVisible, ready])
  useEffect(() => setPanMode(prefs.pan), [prefs.pan, setPanMode, ready])
}
