/**
 * Whose data this browser tab holds. The open cases (sessionStorage), the credential and anything
 * else the app keeps for a person belong to the person signed in when they were made: signing out,
 * or another person signing in in the same tab, forgets them all. Viewer preferences (window
 * presets, view, crosshair) are the browser's, not a person's: they stay.
 */

/** The person whose cases this tab's sessionStorage holds. */
export const OWNER_KEY = 'voxtell-web-owner'
/** localStorage keys that are the browser's, not a person's (usePrefs). */
const KEPT = new Set(['voxtell-web-viewer'])

type Store = Pick<Storage, 'length' | 'key' | 'removeItem' | 'clear'>

/** Forget everything of the previous person: all of this tab's sessionStorage (the cases and their
 * owner) and every app key of localStorage (the credential, cases of older versions) but the preferences. */
export function forgetPerson(session: Store, local: Store): void {
  session.clear()
  const keys: string[] = []
  for (let i = 0; i < local.length; i++) {
    const key = local.key(i)
    if (key && key.startsWith('voxtell-web') && !KEPT.has(key)) keys.push(key)
  }
  for (const key of keys) local.removeItem(key)
}

/**
 * Before the tab shows ``personId``'s workspace: when its data belongs to someone else (or to nobody
 * known, where people sign in) it is forgotten, except the credential just used. True when it was.
 */
export function claimTab(session: Store & Pick<Storage, 'getItem' | 'setItem'>, local: Store & Pick<Storage, 'getItem' | 'setItem'>,
  personId: string, signInRequired: boolean, credentialKey: string): boolean {
  const owner = session.getItem(OWNER_KEY)
  const foreign = owner !== personId && (owner !== null || signInRequired)
  if (foreign) {
    const credential = local.getItem(credentialKey)
    forgetPerson(session, local)
    if (credential !== null) local.setItem(credentialKey, credential)
  }
  session.setItem(OWNER_KEY, personId)
  return foreign
}
