interface Props {
  error: string | null
  onDismiss: () => void
}

/** The current error, in its own row above the images (it never covers them). */
export function Notices({ error, onDismiss }: Props) {
  return (
    <div className="notices" aria-live="polite">
      {error && (
        <div className="notice error" role="alert" data-testid="error-message">
          <span data-testid="error-text">{error}</span>
          <button className="icon" aria-label="dismiss" data-testid="error-dismiss" onClick={onDismiss}>×</button>
        </div>
      )}
    </div>
  )
}
