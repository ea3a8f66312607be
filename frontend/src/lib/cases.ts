/**
 * The cases opened in this browser tab: the local file name (never sent to the server), the
 * volume and jobs on the server, and what the user set for them (hidden masks, opacity, window,
 * crosshair). Kept in sessionStorage: it survives reloads, ends with the tab.
 */

import type { WindowLevel } from './windowing'

export interface CaseState {
  volumeId: string
  /** the local file name the user opened ("ct_0042.nii.gz"); browser only */
  name: string
  jobIds: string[]
  /** result keys (``<job>-<index>``) hidden in the viewer */
  hidden: string[]
  /** overlay opacity per result key (0..1) */
  opacity: Record<string, number>
  /** ended (failed or cancelled) jobs the user dismissed */
  dismissed: string[]
  window: WindowLevel | null
  /** crosshair in world millimetres (RAS) */
  crosshairMm: [number, number, number] | null
  /** the opened files' content digest (lib/file-digest.ts): the same file again reopens this case */
  digest?: string
}

export interface CasesState {
  current: string | null
  cases: CaseState[]
}

const KEY = 'voxtell-web-cases'
/** What versions before the cases list kept in localStorage (one volume, no file name). */
const LEGACY_KEY = 'voxtell-web-session'

export const DEFAULT_OPACITY = 0.5

export function newCase(volumeId: string, name: string): CaseState {
  return { volumeId, name, jobIds: [], hidden: [], opacity: {}, dismissed: [], window: null, crosshairMm: null }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

function validCase(raw: unknown): CaseState | null {
  if (!raw || typeof raw !== 'object') return null
  const c = raw as Record<string, unknown>
  if (typeof c.volumeId !== 'string' || !c.volumeId) return null
  const opacity: Record<string, number> = {}
  if (c.opacity && typeof c.opacity === 'object') {
    for (const [k, v] of Object.entries(c.opacity)) if (typeof v === 'number' && v >= 0 && v <= 1) opacity[k] = v
  }
  const w = c.window as Partial<WindowLevel> | null
  const window = w && typeof w.center === 'number' && typeof w.width === 'number' && Number.isFinite(w.center)
    && w.width > 0 ? { center: w.center, width: w.width } : null
  const mm = Array.isArray(c.crosshairMm) && c.crosshairMm.length === 3 && c.crosshairMm.every(Number.isFinite)
    ? (c.crosshairMm as [number, number, number]) : null
  return {
    volumeId: c.volumeId, name: typeof c.name === 'string' && c.name ? c.name : 'volume', jobIds: strings(c.jobIds),
    hidden: strings(c.hidden), opacity, dismissed: strings(c.dismissed), window, crosshairMm: mm,
    ...(typeof c.digest === 'string' && c.digest ? { digest: c.digest } : {}),
  }
}

export function loadCases(session: Pick<Storage, 'getItem'>, legacy?: Pick<Storage, 'getItem'>): CasesState {
  try {
    const raw = session.getItem(KEY)
    if (raw) {
      const parsed = JSON.parse(raw) as { current?: unknown; cases?: unknown }
      const cases = (Array.isArray(parsed.cases) ? parsed.cases : []).map(validCase).filter((c): c is CaseState => !!c)
      const current = typeof parsed.current === 'string' && cases.some((c) => c.volumeId === parsed.current)
        ? parsed.current : cases[0]?.volumeId ?? null
      return { current, cases }
    }
    const old = legacy?.getItem(LEGACY_KEY)
    if (old) {
      const parsed = JSON.parse(old) as { volumeId?: unknown; jobIds?: unknown; hidden?: unknown; opacity?: unknown }
      const migrated = validCase({ ...parsed, name: 'previous volume', dismissed: [] })
      if (migrated) return { current: migrated.volumeId, cases: [migrated] }
    }
  } catch {
    // unreadable: start empty
  }
  return { current: null, cases: [] }
}

/** Drop what versions before the cases list kept in localStorage (after it was taken over). */
export function forgetLegacy(storage: Pick<Storage, 'removeItem'>): void {
  storage.removeItem(LEGACY_KEY)
}

export function saveCases(session: Pick<Storage, 'setItem'>, state: CasesState): void {
  session.setItem(KEY, JSON.stringify(state))
}

/** Open (or re-open) a case and make it current; a volume already listed keeps its state. */
export function openCase(state: CasesState, volumeId: string, name: string): CasesState {
  const exists = state.cases.some((c) => c.volumeId === volumeId)
  return { current: volumeId, cases: exists ? state.cases : [...state.cases, newCase(volumeId, name)] }
}

/** Close a case (the next one becomes current when it was). */
export function closeCase(state: CasesState, volumeId: string): CasesState {
  const index = state.cases.findIndex((c) => c.volumeId === volumeId)
  const cases = state.cases.filter((c) => c.volumeId !== volumeId)
  const current = state.current !== volumeId ? state.current
    : cases[Math.min(index, cases.length - 1)]?.volumeId ?? null
  return { current, cases }
}

export function updateCase(state: CasesState, volumeId: string, change: (c: CaseState) => CaseState): CasesState {
  return { ...state, cases: state.cases.map((c) => (c.volumeId === volumeId ? change(c) : c)) }
}

/** The case opened from files of this content digest, if any. */
export function caseOfDigest(state: Pick<CasesState, 'cases'>, digest: string): CaseState | null {
  return state.cases.find((c) => c.digest === digest) ?? null
}

export function currentCase(state: CasesState): CaseState | null {
  return state.cases.find((c) => c.volumeId === state.current) ?? null
}
