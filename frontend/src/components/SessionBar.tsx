import type { Me, OidcSignIn } from '../api/types'

interface Props {
  me: Me | null
  onSignOut: () => void
  onAdmin: () => void
  onTokens: () => void
  /** the DICOM node's worklist */
  onWorklist: () => void
}

/** Who is signed in, with a sign-out (none on a workstation: everyone there is the local user). */
export function SessionBar({ me, onSignOut, onAdmin, onTokens, onWorklist }: Props) {
  if (!me) return null
  if (!me.sign_in_required) {
    return (
      <div className="session" data-testid="whoami">
        <span data-testid="whoami-name">local user</span>
        <button data-testid="worklist-open" onClick={onWorklist}>Worklist</button>
      </div>
    )
  }
  return (
    <div className="session" data-testid="whoami" data-role={me.role}>
      <span data-testid="whoami-name">{me.name}</span>
      <span className="role" data-testid="whoami-role">{me.role}</span>
      {me.role === 'admin' && <button data-testid="admin-open" onClick={onAdmin}>Admin</button>}
      <button data-testid="worklist-open" onClick={onWorklist}>Worklist</button>
      {me.via === 'token' && <button data-testid="my-tokens-open" onClick={onTokens}>My tokens</button>}
      <button data-testid="sign-out" onClick={onSignOut}>Sign out</button>
    </div>
  )
}

/** The sign-in form: the hospital's provider where the server names one, the server's API key (an
 * administrator) or a personal token (vxt_…). */
export function SignInForm({ onSignIn, oidc, onHospital }: {
  onSignIn: (credential: string) => void
  oidc?: OidcSignIn | null
  onHospital?: () => void
}) {
  return (
    <>
    {oidc && onHospital && (
      <button type="button" className="primary oidc-sign-in" data-testid="oidc-sign-in" onClick={onHospital}>
        Sign in with your hospital account
      </button>
    )}
    <form className="panel keyform" data-testid="sign-in" onSubmit={(e) => {
      e.preventDefault()
      onSignIn(String(new FormData(e.currentTarget).get('key') ?? '').trim())
    }}>
      <input name="key" type="password" placeholder="API key or personal token" aria-label="API key or personal token"
        autoComplete="off" data-testid="api-key-input" />
      <button type="submit" data-testid="api-key-save">Sign in</button>
    </form>
    </>
  )
}
