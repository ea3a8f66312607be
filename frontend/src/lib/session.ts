/** The browser session (volume and jobs) survives a reload through localStorage. */

export interface SavedSession {
  volumeId: string | null
  jobIds: string[]
  hidden: string[]
  names: Record<string, string>
}

const KEY = 'voxtell-web-session'

export const emptySession = (): SavedSession => ({ volumeId: null, jobIds: [], hidden: [], names: {} })

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
    }
  } catch {
    return emptySession()
  }
}

export function saveSession(storage: Pick<Storage, 'setItem'>, session: SavedSession): void {
  storage.setItem(KEY, JSON.stringify(session))
}
