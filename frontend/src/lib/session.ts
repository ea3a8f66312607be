/** The browser session (volume and jobs) survives a reload through localStorage. */

export interface SavedSession {
  volumeId: string | null
  jobIds: string[]
  hidden: string[]
  names: Record<string, string>
  /** Overlay opacity per result key (0..1); absent means the default. */
  opacity: Record<string, number>
  /** Colour slot per result key (see ``assignColorSlots``). */
  colors: Record<string, number>
}

const KEY = 'voxtell-web-session'

export const emptySession = (volumeId: string | null = null): SavedSession => ({ volumeId, jobIds: [], hidden: [], names: {}, opacity: {}, colors: {} })

export function loadSession(storage: Pick<Storage, 'getItem'>): SavedSession {
  try {
    const raw = storage.getItem(KEY)
    if (!raw) return emptySession()
    const parsed = JSON.parse(raw) as Partial<SavedSession>
    return {
      volumeId: typeof parsed.volumeId === 'string' ? parsed.volumeId : null,
      jobIds: Array.isArray(parsed.jobIds) ? parsed.jobIds.filter((j) => typeof j === 'string') : [],
      hidden: Array.isArray(parsed.hidden) ? parsed.hidden : [],
      names: parsed.names && typeof parsed.names === 'object' ? parsed.names : {},
      opacity: validOpacity(parsed.opacity),
      colors: validSlots(parsed.colors),
    }
  } catch {
    return emptySession()
  }
}

export function saveSession(storage: Pick<Storage, 'setItem'>, session: SavedSession): void {
  storage.setItem(KEY, JSON.stringify(session))
}

function validOpacity(value: unknown): Record<string, number> {
  if (!value || typeof value !== 'object') return {}
  const out: Record<string, number> = {}
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'number' && v >= 0 && v <= 1) out[key] = v
  }
  return out
}

function validSlots(value: unknown): Record<string, number> {
  if (!value || typeof value !== 'object') return {}
  const out: Record<string, number> = {}
  for (const [key, v] of Object.entries(value)) {
    if (Number.isInteger(v) && (v as number) >= 0) out[key] = v as number
  }
  return out
}
