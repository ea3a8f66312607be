import { useCallback, useState } from 'react'
import type { AdminApi } from '../api/admin'
import type { AuditAction, AuditQuery, UserInfo } from '../api/types'
import { useRemote } from '../hooks/useRemote'

const ACTIONS: AuditAction[] = ['login', 'denied', 'upload', 'view', 'infer', 'download', 'export', 'pacs_import',
  'pacs_store', 'edit', 'delete', 'admin']

interface Props {
  admin: AdminApi
  users: UserInfo[] | null
  onError: (err: unknown) => void
}

/** A ``datetime-local`` field's value as seconds since the epoch (empty: no bound). */
function epoch(value: FormDataEntryValue | null): number | undefined {
  const text = String(value ?? '')
  if (!text) return undefined
  const ms = new Date(text).getTime()
  return Number.isNaN(ms) ? undefined : ms / 1000
}

/** The audit trail, newest first, filtered by person, action, object id and time. */
export function AdminAudit({ admin, users, onError }: Props) {
  const [query, setQuery] = useState<AuditQuery>({ limit: 200 })
  const load = useCallback(() => admin.audit(query), [admin, query])
  const { data: events, reload } = useRemote(load, onError)
  const nameOf = (id: string | null) => (id ? users?.find((u) => u.id === id)?.name ?? id : '—')
  return (
    <section className="admin-section" data-testid="admin-audit">
      <h2>Audit trail</h2>
      <form className="inline-form wrap" data-testid="audit-filters" onSubmit={(e) => {
        e.preventDefault()
        const data = new FormData(e.currentTarget)
        const text = (k: string) => String(data.get(k) ?? '').trim() || undefined
        setQuery({ user_id: text('user_id'), action: text('action') as AuditAction | undefined,
          object_id: text('object_id'), since: epoch(data.get('since')), until: epoch(data.get('until')), limit: 200 })
      }}>
        <select name="user_id" aria-label="user" data-testid="audit-user" defaultValue="">
          <option value="">anyone</option>
          {(users ?? []).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </select>
        <select name="action" aria-label="action" data-testid="audit-action" defaultValue="">
          <option value="">any action</option>
          {ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
        <input name="object_id" placeholder="object id" aria-label="object id" data-testid="audit-object" />
        <label>from <input name="since" type="datetime-local" step={1} data-testid="audit-since" /></label>
        <label>until <input name="until" type="datetime-local" step={1} data-testid="audit-until" /></label>
        <button type="submit" data-testid="audit-apply">Filter</button>
        <button type="button" data-testid="audit-refresh" onClick={reload}>Refresh</button>
      </form>
      <table className="grid" data-testid="audit-table">
        <thead><tr><th>time</th><th>user</th><th>via</th><th>action</th><th>outcome</th><th>object</th><th>source</th></tr></thead>
        <tbody>
          {(events ?? []).map((e) => (
            <tr key={e.seq} data-testid="audit-row" data-user={e.user_id ?? ''} data-action={e.action}>
              <td>{new Date(e.at * 1000).toLocaleString()}</td>
              <td>{nameOf(e.user_id)}</td>
              <td>{e.via}</td>
              <td>{e.action}</td>
              <td>{e.outcome}</td>
              <td>{e.object_type ? `${e.object_type} ${e.object_id ?? ''}` : ''}</td>
              <td>{e.source ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {events?.length === 0 && <p className="hint" data-testid="audit-empty">No events match.</p>}
    </section>
  )
}
