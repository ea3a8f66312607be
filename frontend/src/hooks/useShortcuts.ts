/** Keyboard shortcuts of the viewer (lib/keys.ts), handled before NiiVue's own canvas keys. */

import { useEffect, useRef } from 'react'
import { shortcutFor, type ShortcutAction } from '../lib/keys'

function inField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  if (!el || !el.tagName) return false
  const tag = el.tagName.toLowerCase()
  if (tag === 'textarea' || tag === 'select' || el.isContentEditable) return true
  if (tag !== 'input') return false
  const type = (el as HTMLInputElement).type
  return type !== 'checkbox' && type !== 'button' && type !== 'color' // a range keeps its own arrow keys
}

export function useShortcuts(act: (action: ShortcutAction) => void, canvas: React.RefObject<HTMLCanvasElement | null>) {
  const handler = useRef(act)
  handler.current = act
  useEffect(() => {
    const keydown = (e: KeyboardEvent) => {
      const action = shortcutFor(e, inField(e.target))
      if (action?.kind === 'escape') {
        handler.current(action) // fields and dialogs still see Escape
      } else if (action) {
        e.preventDefault()
        e.stopPropagation()
        handler.current(action)
      } else if (e.target === canvas.current) {
        e.stopPropagation() // NiiVue's canvas keys (view cycling, version alert) stay off
      }
    }
    const keyup = (e: KeyboardEvent) => {
      if (e.target === canvas.current) e.stopPropagation()
    }
    window.addEventListener('keydown', keydown, { capture: true })
    window.addEventListener('keyup', keyup, { capture: true })
    return () => {
      window.removeEventListener('keydown', keydown, { capture: true })
      window.removeEventListener('keyup', keyup, { capture: true })
    }
  }, [canvas])
}
