import { describe, expect, it } from 'vitest'
import { claimTab, forgetPerson, OWNER_KEY } from './tab-owner'

/** A Storage in memory (the methods tab-owner uses). */
function store(items: Record<string, string> = {}) {
  const map = new Map(Object.entries(items))
  return {
    map,
    get length() { return map.size },
    key: (i: number) => Array.from(map.keys())[i] ?? null,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    clear: () => map.clear(),
  }
}

const CRED = 'voxtell-web-api-key'

describe('tab owner', () => {
  it('forgets the cases, the credential and old cases, keeps the viewer preferences and other sites\' keys', () => {
    const session = store({ 'voxtell-web-cases': '{"cases":[1]}', [OWNER_KEY]: 'u1' })
    const local = store({ [CRED]: 'vxt_a', 'voxtell-web-session': '{}', 'voxtell-web-viewer': '{"view":"axial"}', other: 'x' })
    forgetPerson(session, local)
    expect(session.map.size).toBe(0)
    expect(Object.fromEntries(local.map)).toEqual({ 'voxtell-web-viewer': '{"view":"axial"}', other: 'x' })
  })

  it('another person signing in forgets the previous one\'s cases, keeping the new credential', () => {
    const session = store({ 'voxtell-web-cases': '{"cases":[1]}', [OWNER_KEY]: 'alice' })
    const local = store({ [CRED]: 'vxt_bob', 'voxtell-web-viewer': '{}' })
    expect(claimTab(session, local, 'bob', true, CRED)).toBe(true)
    expect(Object.fromEntries(session.map)).toEqual({ [OWNER_KEY]: 'bob' })
    expect(Object.fromEntries(local.map)).toEqual({ [CRED]: 'vxt_bob', 'voxtell-web-viewer': '{}' })
  })

  it('the same person keeps their cases; unowned cases are kept only on a workstation', () => {
    const cases = { 'voxtell-web-cases': '{"cases":[1]}' }
    const same = store({ ...cases, [OWNER_KEY]: 'alice' })
    expect(claimTab(same, store(), 'alice', true, CRED)).toBe(false)
    expect(same.getItem('voxtell-web-cases')).not.toBeNull()
    const workstation = store(cases)
    expect(claimTab(workstation, store(), 'local', false, CRED)).toBe(false)
    expect(workstation.getItem('voxtell-web-cases')).not.toBeNull()
    const unknown = store(cases)
    expect(claimTab(unknown, store(), 'bob', true, CRED)).toBe(true)
    expect(unknown.getItem('voxtell-web-cases')).toBeNull()
  })
})
