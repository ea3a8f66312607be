/** Editing a protocol on the admin page: the body a PUT sends, and the choices of its fields. */

import type { InterpretedType, ProtocolBody, ProtocolInfo, ProtocolModality, StructureSpec } from '../api/types'

/** RT ROI Interpreted Types the server accepts (every one of the schema's: a missing one is a type error). */
export const INTERPRETED_TYPES = ['ORGAN', 'PTV', 'CTV', 'GTV', 'AVOIDANCE', 'EXTERNAL', 'CAVITY', 'MARKER',
  'REGISTRATION', 'ISOCENTER', 'CONTRAST_AGENT', 'BRACHY_CHANNEL', 'BRACHY_ACCESSORY', 'BRACHY_SRC_APP',
  'BRACHY_CHNL_SHLD', 'SUPPORT', 'FIXATION', 'DOSE_REGION', 'CONTROL'] as const satisfies readonly InterpretedType[]
export const MODALITIES = ['CT', 'MR', 'PT', 'NM', 'US', 'CR', 'DX', 'MG', 'XA'] as const satisfies readonly ProtocolModality[]
type Covers<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : false
const allTypes: Covers<InterpretedType, (typeof INTERPRETED_TYPES)[number]> = true
const allModalities: Covers<ProtocolModality, (typeof MODALITIES)[number]> = true
void allTypes
void allModalities

/** What ``PUT /api/protocols/{id}`` takes of a protocol as listed (no id, warnings or history). */
export function protocolBody(info: ProtocolInfo): ProtocolBody {
  return {
    name: info.name,
    description: info.description ?? '',
    modality: info.modality ?? null,
    structures: info.structures.map((s) => ({ ...s, color: [...s.color] as StructureSpec['color'] })),
  }
}

/** ``body`` with structure ``index`` changed. */
export function withStructure(body: ProtocolBody, index: number, change: Partial<StructureSpec>): ProtocolBody {
  return { ...body, structures: body.structures.map((s, i) => (i === index ? { ...s, ...change } : s)) }
}

/** ``body`` with structure ``index`` left out. */
export function withoutStructure(body: ProtocolBody, index: number): ProtocolBody {
  return { ...body, structures: body.structures.filter((_, i) => i !== index) }
}

/** ``body`` with a new structure at the end (prompt and name for the administrator to fill in). */
export function withNewStructure(body: ProtocolBody, color: StructureSpec['color']): ProtocolBody {
  const structure: StructureSpec = { prompt: '', name: '', color, interpreted_type: 'ORGAN',
    keep_largest_component: false, fill_holes: false }
  return { ...body, structures: [...body.structures, structure] }
}

/** Whether ``body`` differs from what the server holds. */
export function edited(body: ProtocolBody, info: ProtocolInfo): boolean {
  return JSON.stringify(body) !== JSON.stringify(protocolBody(info))
}
