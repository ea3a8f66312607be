import { useState } from 'react'
import type { ProtocolsApi } from '../api/protocols'
import type { ProtocolBody, ProtocolInfo } from '../api/types'
import { hexColor, rgbFromHex } from '../lib/colors'
import { nextFreeColor } from '../lib/palette'
import {
  INTERPRETED_TYPES, MODALITIES, edited, protocolBody, withNewStructure, withStructure, withoutStructure,
} from '../lib/protocol-edit'

interface Props {
  protocols: ProtocolsApi
  protocol: ProtocolInfo
  onSaved: (saved: ProtocolInfo) => void
  onCancel: () => void
}

/** One protocol's fields and structures, saved with PUT; a refusal (409 clash, 422 field) is shown
 * in the server's words and the edit stays. */
export function ProtocolEditor({ protocols, protocol, onSaved, onCancel }: Props) {
  const [body, setBody] = useState<ProtocolBody>(() => protocolBody(protocol))
  const [refusal, setRefusal] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const save = () => {
    setSaving(true)
    setRefusal(null)
    protocols.put(protocol.id, body).then(onSaved, (err: unknown) => {
      setRefusal(err instanceof Error ? err.message : String(err))
    }).finally(() => setSaving(false))
  }
  return (
    <form className="protocol-editor" data-testid="protocol-editor" onSubmit={(e) => {
      e.preventDefault()
      save()
    }}>
      <div className="protocol-fields">
        <label>name
          <input data-testid="protocol-edit-name" value={body.name} onChange={(e) => setBody({ ...body, name: e.target.value })} />
        </label>
        <label>modality
          <select data-testid="protocol-edit-modality" value={body.modality ?? ''}
            onChange={(e) => setBody({ ...body, modality: (e.target.value || null) as ProtocolBody['modality'] })}>
            <option value="">any</option>
            {MODALITIES.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <label>description
          <input data-testid="protocol-edit-description" value={body.description ?? ''}
            onChange={(e) => setBody({ ...body, description: e.target.value })} />
        </label>
      </div>
      <table className="grid protocol-structures">
        <thead><tr><th>colour</th><th>structure name</th><th>prompt</th><th>type</th><th /></tr></thead>
        <tbody>
          {body.structures.map((s, i) => (
            <tr key={i} data-testid="protocol-edit-structure">
              <td><input type="color" data-testid="structure-color" aria-label={`colour of ${s.name}`} value={hexColor(s.color)}
                onChange={(e) => setBody(withStructure(body, i, { color: rgbFromHex(e.target.value) }))} /></td>
              <td><input data-testid="structure-name" aria-label="structure name" value={s.name}
                onChange={(e) => setBody(withStructure(body, i, { name: e.target.value }))} /></td>
              <td><input data-testid="structure-prompt" aria-label={`prompt of ${s.name}`} value={s.prompt}
                onChange={(e) => setBody(withStructure(body, i, { prompt: e.target.value }))} /></td>
              <td><select data-testid="structure-type" aria-label={`interpreted type of ${s.name}`} value={s.interpreted_type}
                onChange={(e) => setBody(withStructure(body, i, { interpreted_type: e.target.value as typeof s.interpreted_type }))}>
                {INTERPRETED_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
              </select></td>
              <td><button type="button" className="icon" data-testid="structure-remove" aria-label={`remove ${s.name}`}
                onClick={() => setBody(withoutStructure(body, i))}>×</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" data-testid="structure-add"
        onClick={() => setBody(withNewStructure(body, nextFreeColor(body.structures.map((s) => s.color))))}>
        Add structure
      </button>
      {refusal && <p className="error-text" role="alert" data-testid="protocol-refusal">{refusal}</p>}
      <div className="protocol-buttons">
        <button type="submit" className="primary" data-testid="protocol-save" disabled={saving || !edited(body, protocol)}>Save</button>
        <button type="button" data-testid="protocol-cancel" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  )
}
