import { SHORTCUTS } from '../lib/keys'

/** The keyboard and mouse shortcuts ("?" or the ? button; Escape closes). */
export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div className="dialog" role="dialog" aria-label="keyboard shortcuts" data-testid="shortcuts"
        onClick={(e) => e.stopPropagation()}>
        <h2>Shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([keys, what]) => <tr key={keys}><th>{keys}</th><td>{what}</td></tr>)}
          </tbody>
        </table>
        <div className="dialog-buttons"><button autoFocus data-testid="shortcuts-close" onClick={onClose}>Close</button></div>
      </div>
    </div>
  )
}
