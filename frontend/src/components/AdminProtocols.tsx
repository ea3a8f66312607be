import { useCallback, useMemo, useState } from 'react'
import type { ApiClient } from '../api/client'
import { ProtocolsApi } from '../api/protocols'
import type { ProtocolInfo } from '../api/types'
import { useRemote } from '../hooks/useRemote'
import { cssColor } from '../lib/colors'
import { ConfirmDialog } from './ConfirmDialog'
import { ProtocolEditor } from './ProtocolEditor'
import '../styles/protocols.css'

interface Props {
  api: ApiClient
  onError: (err: unknown) => void
}

/** Protocols: each with its structures and the server's TG-263 advice; edit (PUT) or delete one. */
export function AdminProtocols({ api, onError }: Props) {
  const protocols = useMemo(() => new ProtocolsApi(api), [api])
  const load = useCallback(() => protocols.list(), [protocols])
  const { data: list, reload } = useRemote(load, onError)
  const [editing, setEditing] = useState<string | null>(null)
  const [deleting, setDeleting] = useState<ProtocolInfo | null>(null)
  return (
    <section className="admin-section" data-testid="admin-protocols">
      <h2>Protocols</h2>
      {list === null && <p className="hint">loading…</p>}
      <ul className="protocols">
        {(list ?? []).map((p) => (
          <li key={p.id} data-testid="protocol-row" data-protocol={p.id}>
            {editing === p.id ? (
              <ProtocolEditor protocols={protocols} protocol={p} onCancel={() => setEditing(null)}
                onSaved={() => {
                  setEditing(null)
                  reload()
                }} />
            ) : (
              <ProtocolView protocol={p} onEdit={() => setEditing(p.id)} onDelete={() => setDeleting(p)} />
            )}
          </li>
        ))}
      </ul>
      {deleting && (
        <ConfirmDialog testId="protocol-delete-confirm" title="Delete this protocol?" confirm="Delete" danger
          onCancel={() => setDeleting(null)} onConfirm={() => {
            const id = deleting.id
            setDeleting(null)
            protocols.remove(id).then(reload, onError)
          }}>
          <p>Delete <b>{deleting.name}</b> ({deleting.id})? Jobs already run keep their names and colours; a DICOM rule
            that names it is refused until it is changed.</p>
        </ConfirmDialog>
      )}
    </section>
  )
}

function ProtocolView({ protocol: p, onEdit, onDelete }: { protocol: ProtocolInfo; onEdit: () => void; onDelete: () => void }) {
  return (
    <div className="protocol-view">
      <div className="protocol-head">
        <b data-testid="protocol-name">{p.name}</b>
        <span className="hint">{p.id}{p.modality ? ` · ${p.modality}` : ''}{p.shipped ? ' · shipped' : ''}
          {p.updated_by ? ` · changed by ${p.updated_by}` : ''}</span>
        <button data-testid="protocol-edit" onClick={onEdit}>Edit</button>
        <button className="danger" data-testid="protocol-delete" onClick={onDelete}>Delete</button>
      </div>
      {p.description && <p className="hint">{p.description}</p>}
      <table className="grid protocol-structures">
        <thead><tr><th>structure</th><th>prompt</th><th>type</th><th>post-processing</th></tr></thead>
        <tbody>
          {p.structures.map((s) => (
            <tr key={s.name} data-testid="protocol-structure" data-name={s.name}>
              <td><span className="protocol-swatch" style={{ background: cssColor(s.color) }} /> {s.name}</td>
              <td>{s.prompt}</td>
              <td data-testid="protocol-structure-type">{s.interpreted_type}</td>
              <td className="hint">{[s.keep_largest_component && 'largest component', s.fill_holes && 'holes filled']
                .filter(Boolean).join(', ') || '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.warnings.length > 0 && (
        <ul className="protocol-warnings" data-testid="protocol-warnings">
          {p.warnings.map((w) => <li key={w} data-testid="protocol-warning">{w}</li>)}
        </ul>
      )}
    </div>
  )
}
