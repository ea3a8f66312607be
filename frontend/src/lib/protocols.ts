/** Protocols as the prompt panel offers them: those made for the open volume's modality first. */

import type { ProtocolInfo } from '../api/types'

export interface ProtocolGroups {
  /** made for the volume's modality (empty when the volume names none) */
  matching: ProtocolInfo[]
  /** the others: another modality, or none named */
  other: ProtocolInfo[]
}

const byName = (a: ProtocolInfo, b: ProtocolInfo) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)

/** ``protocols`` split into those of ``modality`` (case-insensitive) and the rest, each by name. */
export function groupProtocols(protocols: ProtocolInfo[], modality: string | null | undefined): ProtocolGroups {
  const want = modality?.trim().toUpperCase() || null
  const matching = protocols.filter((p) => want !== null && p.modality?.toUpperCase() === want).sort(byName)
  const other = protocols.filter((p) => !matching.includes(p)).sort(byName)
  return { matching, other }
}
