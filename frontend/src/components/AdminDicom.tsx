import { useCallback, useMemo, useState } from 'react'
import type { ApiClient } from '../api/client'
import { DicomApi, type DicomConfig } from '../api/dicom'
import { useRemote } from '../hooks/useRemote'

interface Props {
  api: ApiClient
  onError: (err: unknown) => void
}

/** The DICOM node's destinations and rules: listed, and edited as one JSON document (the fields of
 * the YAML in docs/dicom-node.md), saved whole with PUT /api/dicom/config. A refused save (422: a
 * field; 409: a rule naming a destination or protocol that does not exist) is shown in the
 * server's words and the edit stays; nothing changes on the server then. */
export function AdminDicom({ api, onError }: Props) {
  const dicom = useMemo(() => new DicomApi(api), [api])
  const load = useCallback(() => Promise.all([dicom.config(), dicom.node()]), [dicom])
  const { data, reload } = useRemote(load, onError)
  const [text, setText] = useState<string | null>(null)
  const [refusal, setRefusal] = useState<string | null>(null)
  const config = data?.[0]
  const node = data?.[1]
  const save = () => {
    let parsed: DicomConfig
    try {
      parsed = JSON.parse(text ?? '') as DicomConfig
    } catch (err) {
      setRefusal(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`)
      return
    }
    setRefusal(null)
    dicom.putConfig(parsed).then(() => {
      setText(null)
      reload()
    }, (err: unknown) => setRefusal(err instanceof Error ? err.message : String(err)))
  }
  return (
    <section className="admin-section" data-testid="admin-dicom">
      <h2>DICOM node</h2>
      <p className="hint" data-testid="admin-dicom-node">
        {node ? (node.enabled ? `listening as ${node.ae_title} on port ${node.port}` : 'off (VOXTELL_DICOM_PORT is not set)') : ''}
      </p>
      <table className="dicom-rules">
        <thead><tr><th>rule</th><th>matches</th><th>protocol</th><th>review</th><th>sends to</th></tr></thead>
        <tbody>
          {(config?.rules ?? []).map((r) => (
            <tr key={r.id} data-testid="dicom-rule" data-rule={r.id}>
              <td>{r.id}</td>
              <td>{Object.entries(r.match ?? {}).filter(([, v]) => v !== null && !(Array.isArray(v) && !v.length))
                .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('–') : String(v)}`).join(', ') || 'everything'}</td>
              <td>{r.protocol}</td>
              <td>{r.review ?? 'auto'}</td>
              <td>{(r.send ?? []).map((s) => `${s.destination} (${s.format ?? 'rtstruct'})`).join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="dicom-destinations">
        {(config?.destinations ?? []).map((d) => (
          <li key={d.name} data-testid="dicom-destination" data-name={d.name}>
            <b>{d.name}</b> {d.dicomweb ? 'the DICOMweb archive (STOW-RS)' : `${d.ae_title} at ${d.host}:${d.port}${d.tls ? ' over TLS' : ''}`}
          </li>
        ))}
      </ul>
      {text === null ? (
        <button data-testid="dicom-config-edit" disabled={!config}
          onClick={() => setText(JSON.stringify(config, null, 2))}>Edit rules and destinations</button>
      ) : (
        <form onSubmit={(e) => {
          e.preventDefault()
          save()
        }}>
          <textarea data-testid="dicom-config-json" rows={16} spellCheck={false} value={text}
            aria-label="the DICOM node's rules and destinations (JSON)" onChange={(e) => setText(e.target.value)} />
          {refusal && <p className="error-text" role="alert" data-testid="dicom-config-refusal">{refusal}</p>}
          <button type="submit" data-testid="dicom-config-save">Save</button>
          <button type="button" data-testid="dicom-config-cancel" onClick={() => {
            setText(null)
            setRefusal(null)
          }}>Cancel</button>
        </form>
      )}
    </section>
  )
}
