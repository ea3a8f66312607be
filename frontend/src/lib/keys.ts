/** Keyboard movement through a list of suggestions: -1 means "nothing highlighted" (the typed text). */
export function moveHighlight(current: number, count: number, key: string): number {
  if (count === 0) return -1
  if (key === 'ArrowDown') return current + 1 >= count ? 0 : current + 1
  if (key === 'ArrowUp') return current <= 0 ? count - 1 : current - 1
  if (key === 'Escape') return -1
  return current
}

export type ShortcutAction =
  | { kind: 'step'; delta: number }
  | { kind: 'zoom'; factor: number }
  | { kind: 'reset-zoom' }
  | { kind: 'crosshair' }
  | { kind: 'outline' }
  | { kind: 'help' }
  | { kind: 'escape' }
  | { kind: 'undo' }

/** The keyboard shortcuts, as listed by the "?" help. */
export const SHORTCUTS: [string, string][] = [
  ['↑ / →', 'next slice (the view last clicked)'],
  ['↓ / ←', 'previous slice'],
  ['Page Up / Page Down', '10 slices up / down'],
  ['+ / −', 'zoom in / out'],
  ['0', 'reset zoom and pan'],
  ['x', 'show / hide the crosshair'],
  ['o', 'masks filled / outlined'],
  ['Ctrl+Z', 'undo the last stroke while drawing'],
  ['?', 'this list'],
  ['right-drag', 'window / level'],
  ['middle-drag or Shift+drag', 'pan'],
  ['mouse wheel', 'slices (zoom in pan/zoom mode)'],
]

/** What a key press does in the viewer; null when it is not a shortcut (or typed into a field). */
export function shortcutFor(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }, inField: boolean): ShortcutAction | null {
  if (e.key === 'Escape') return { kind: 'escape' }
  if (inField || e.altKey) return null
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') return { kind: 'undo' }
  if (e.ctrlKey || e.metaKey) return null
  switch (e.key) {
    case 'ArrowUp': case 'ArrowRight': return { kind: 'step', delta: 1 }
    case 'ArrowDown': case 'ArrowLeft': return { kind: 'step', delta: -1 }
    case 'PageUp': return { kind: 'step', delta: 10 }
    case 'PageDown': return { kind: 'step', delta: -10 }
    case '+': case '=': return { kind: 'zoom', factor: 1.25 }
    case '-': return { kind: 'zoom', factor: 0.8 }
    case '0': return { kind: 'reset-zoom' }
    case 'x': case 'X': return { kind: 'crosshair' }
    case 'o': case 'O': return { kind: 'outline' }
    case '?': return { kind: 'help' }
    default: return null
  }
}
