import { useState } from 'react'
import type { TokenCreated, TokenInfo } from '../api/types'

interface Props {
  tokens: TokenInfo[] | null
  /** make a token named ``name``; its text is shown here once */
  onCreate: (name: string) => Promise<TokenCreated>
  onRevoke: (id: string) => void
  onError: (err: unknown) => void
}

function when(seconds: number | null | undefined): string {
  return seconds ? new Date(seconds * 1000).toLocaleString() : '—'
}

/** Personal API tokens: listed (never their secrets), made (the text shown once, with a copy
 * button) and revoked. */
export function TokenList({ tokens, onCreate, onRevoke, onError }: Props) {
  const [shown, setShown] = useState<TokenCreated | null>(null)
  const [copied, setCopied] = useState(false)
  return (
    <div className="tokens" data-testid="token-list">
      <form className="inline-form" onSubmit={(e) => {
        e.preventDefault()
        const name = String(new FormData(e.currentTarget).get('name') ?? '').trim() || 'token'
        onCreate(name).then((t) => {
          setShown(t)
          setCopied(false)
        }).catch(onError)
      }}>
        <input name="name" placeholder="token name" aria-label="token name" data-testid="token-name" />
        <button type="submit" data-testid="token-create">Create token</button>
      </form>
      {shown && (
        <div className="token-once" data-testid="token-created">
          <p>Copy it now: it is shown this once.</p>
          <code data-testid="token-text">{shown.token}</code>
          <button data-testid="token-copy" onClick={() => {
            navigator.clipboard?.writeText(shown.token).then(() => setCopied(true)).catch(onError)
          }}>{copied ? 'Copied' : 'Copy'}</button>
          <button className="icon" aria-label="hide the token" data-testid="token-hide" onClick={() => setShown(null)}>×</button>
        </div>
      )}
      <table className="grid">
        <thead><tr><th>name</th><th>scope</th><th>created</th><th>last used</th><th /></tr></thead>
        <tbody>
          {(tokens ?? []).map((t) => (
            <tr key={t.id} data-testid="token-row" data-token={t.id} data-revoked={t.revoked ? 'true' : 'false'}>
              <td>{t.name}</td><td>{t.scope}</td><td>{when(t.created)}</td><td>{when(t.last_used)}</td>
              <td>{t.revoked ? `revoked ${when(t.revoked)}`
                : <button className="danger" data-testid="token-revoke" onClick={() => onRevoke(t.id)}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
