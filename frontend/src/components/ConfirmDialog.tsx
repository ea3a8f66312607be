import { useEffect, useRef, type ReactNode } from 'react'

interface Props {
  testId: string
  title: string
  children: ReactNode
  confirm: string
  onConfirm: () => void
  onCancel: () => void
  danger?: boolean
}

/** A question the user answers before something happens (Enter confirms, Escape cancels). */
export function ConfirmDialog({ testId, title, children, confirm, onConfirm, onCancel, danger }: Props) {
  const ok = useRef<HTMLButtonElement | null>(null)
  useEffect(() => ok.current?.focus(), [])
  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div className="dialog" role="alertdialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <h2>{title}</h2>
        <div className="dialog-body">{children}</div>
        <div className="dialog-buttons">
          <button ref={ok} className={danger ? 'danger' : 'primary'} data-testid={`${testId}-ok`} onClick={onConfirm}>
            {confirm}
          </button>
          <button data-testid={`${testId}-cancel`} onClick={onCancel}>Cancel</button>
        </div>
      </div>
    </div>
  )
}
