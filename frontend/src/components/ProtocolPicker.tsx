import type { ProtocolInfo } from '../api/types'
import { cssColor } from '../lib/colors'
import { groupProtocols } from '../lib/protocols'
import '../styles/protocols.css'

interface Props {
  protocols: ProtocolInfo[] | null
  /** the open volume's modality: its protocols are offered first */
  modality: string | null | undefined
  /** the chosen protocol's id; null: free-text prompts */
  chosen: string | null
  onChoose: (id: string | null) => void
}

/** A protocol instead of free-text prompts: its structures shown as chips (prompt, exported name, colour). */
export function ProtocolPicker({ protocols, modality, chosen, onChoose }: Props) {
  const { matching, other } = groupProtocols(protocols ?? [], modality)
  const protocol = protocols?.find((p) => p.id === chosen) ?? null
  const option = (p: ProtocolInfo) => (
    <option key={p.id} value={p.id}>{p.name}{p.modality ? ` (${p.modality})` : ''}</option>
  )
  return (
    <div className="protocol-picker" data-testid="protocol-picker">
      <select data-testid="protocol-select" aria-label="protocol" value={chosen ?? ''} disabled={!protocols?.length}
        onChange={(e) => onChoose(e.target.value || null)}>
        <option value="">Free-text prompts</option>
        {matching.length > 0 && <optgroup label={`For ${modality?.toUpperCase()}`}>{matching.map(option)}</optgroup>}
        {other.length > 0 && (matching.length > 0
          ? <optgroup label="Other protocols">{other.map(option)}</optgroup>
          : <optgroup label="Protocols">{other.map(option)}</optgroup>)}
      </select>
      {protocol && (
        <>
          {protocol.description && <p className="hint" data-testid="protocol-description">{protocol.description}</p>}
          <div className="chips" data-testid="protocol-chips" data-protocol={protocol.id}>
            {protocol.structures.map((s) => (
              <span className="chip protocol-chip" key={s.name} data-testid="protocol-chip" data-name={s.name}
                title={`${s.prompt} → ${s.name} (${s.interpreted_type})`}>
                <span className="protocol-swatch" style={{ background: cssColor(s.color) }} />
                {s.name} <span className="protocol-prompt">{s.prompt}</span>
              </span>
            ))}
          </div>
          <button className="link" data-testid="protocol-clear" onClick={() => onChoose(null)}>
            ← back to free-text prompts
          </button>
        </>
      )}
    </div>
  )
}
