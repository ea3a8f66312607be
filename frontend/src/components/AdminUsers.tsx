import { useCallback, useState } from 'react'
import type { AdminApi } from '../api/admin'
import type { UserInfo } from '../api/types'
import { useRemote } from '../hooks/useRemote'
import { limitUpdates } from '../lib/limits'
import { TokenList } from './TokenList'

interface Props {
  admin: AdminApi
  users: UserInfo[] | null
  onChanged: () => void
  onError: (err: unknown) => void
}

/** People: add, disable / enable, their own limits (waiting jobs, compute seconds per UTC day), and their tokens. */
export function AdminUsers({ admin, users, onChanged, onError }: Props) {
  const [open, setOpen] = useState<string | null>(null)
  const act = (p: Promise<unknown>) => void p.then(onChanged, onError)
  return (
    <section className="admin-section" data-testid="admin-users">
      <h2>Users</h2>
      <form className="inline-form" onSubmit={(e) => {
        e.preventDefault()
        const form = e.currentTarget
        const data = new FormData(form)
        const name = String(data.get('name') ?? '').trim()
        if (!name) return
        act(admin.addUser(name, String(data.get('role')) as UserInfo['role']).then(() => form.reset()))
      }}>
        <input name="name" placeholder="name" aria-label="new user's name" data-testid="user-name" />
        <select name="role" aria-label="role" data-testid="user-role" defaultValue="user">
          <option value="user">user</option><option value="admin">admin</option><option value="service">service</option>
        </select>
        <button type="submit" data-testid="user-add">Add user</button>
      </form>
      <table className="grid">
        <thead><tr><th>name</th><th>role</th><th>status</th><th>waiting-job limit</th><th>compute per day (s)</th><th /></tr></thead>
        <tbody>
          {(users ?? []).map((u) => (
            <UserRow key={u.id} user={u} admin={admin} open={open === u.id} onError={onError} act={act}
              onTokens={() => setOpen(open === u.id ? null : u.id)} />
          ))}
        </tbody>
      </table>
    </section>
  )
}

interface RowProps {
  user: UserInfo
  admin: AdminApi
  open: boolean
  onTokens: () => void
  act: (p: Promise<unknown>) => void
  onError: (err: unknown) => void
}

function UserRow({ user: u, admin, open, onTokens, act, onError }: RowProps) {
  const [limit, setLimit] = useState(u.max_queued === null ? '' : String(u.max_queued))
  const [daily, setDaily] = useState(u.max_daily_compute_s == null ? '' : String(u.max_daily_compute_s))
  const setLimits = () => {
    try {
      // In order: both back to the server's first when one field was emptied, then the kept one.
      act(limitUpdates(u, limit, daily).reduce<Promise<unknown>>((done, body) => done.then(() => admin.updateUser(u.id, body)),
        Promise.resolve()))
    } catch (err) {
      onError(err)
    }
  }
  return (
    <>
      <tr data-testid="user-row" data-user={u.id} data-name={u.name} data-disabled={u.disabled ? 'true' : 'false'}>
        <td>{u.name}</td>
        <td>{u.role}</td>
        <td data-testid="user-status">{u.disabled ? 'disabled' : 'active'}</td>
        <td>
          <input className="narrow" type="number" min={1} max={10000} value={limit} placeholder="server's"
            aria-label={`waiting-job limit of ${u.name}`} data-testid="user-limit" onChange={(e) => setLimit(e.target.value)} />
          <button data-testid="user-limit-set" onClick={setLimits}>Set</button>
        </td>
        <td>
          <input className="narrow" type="number" min={1} max={86400 * 64} value={daily} placeholder="server's"
            aria-label={`compute seconds per day of ${u.name}`} title="compute seconds per UTC day; empty: the server's"
            data-testid="user-daily-compute" onChange={(e) => setDaily(e.target.value)} />
          <button data-testid="user-daily-compute-set" onClick={setLimits}>Set</button>
        </td>
        <td>
          <button data-testid="user-toggle" className={u.disabled ? '' : 'danger'}
            onClick={() => act(admin.updateUser(u.id, { disabled: !u.disabled, default_limit: false }))}>
            {u.disabled ? 'Enable' : 'Disable'}
          </button>
          <button data-testid="user-tokens" aria-expanded={open} onClick={onTokens}>Tokens</button>
        </td>
      </tr>
      {open && (
        <tr data-testid="user-tokens-row"><td colSpan={6}><UserTokens admin={admin} userId={u.id} onError={onError} /></td></tr>
      )}
    </>
  )
}

function UserTokens({ admin, userId, onError }: { admin: AdminApi; userId: string; onError: (err: unknown) => void }) {
  const load = useCallback(() => admin.tokens(userId), [admin, userId])
  const { data, reload } = useRemote(load, onError)
  return (
    <TokenList tokens={data} onError={onError}
      onCreate={async (name) => {
        const made = await admin.createToken(userId, { name, scope: 'full' })
        reload()
        return made
      }}
      onRevoke={(id) => void admin.revokeToken(id).then(reload, onError)} />
  )
}
