/** Who is signed in (GET /api/me), the credential kept in this browser, and the way back to the
 * sign-in form: signing out, or any 401 the client sees (the server's words shown). */

import { useCallback, useEffect, useState } from 'react'
import type { ApiClient } from '../api/client'
import { ApiError } from '../api/errors'
import type { Me } from '../api/types'
import { describeError } from '../lib/errors'
import { completeSignIn, isCallback } from '../lib/oidc'
import { claimTab, forgetPerson } from '../lib/tab-owner'

export const KEY_STORAGE = 'voxtell-web-api-key'

export function useSession(api: ApiClient, report: (message: string | null) => void) {
  const [me, setMe] = useState<Me | null>(null)
  const [signedOut, setSignedOut] = useState(false)

  // Declared before the first request below: every 401 from here on lands on the sign-in form.
  useEffect(() => {
    api.onUnauthorized = (err) => {
      setMe(null)
      setSignedOut(true)
      report(err.message)
    }
    return () => {
      api.onUnauthorized = null
    }
  }, [api, report])

  const load = useCallback(() => {
    api.me().then((who) => {
      // Another person than the one whose cases this tab holds: theirs are forgotten before anything
      // of the workspace is shown (App mounts it per person).
      claimTab(window.sessionStorage, window.localStorage, who.id, who.sign_in_required, KEY_STORAGE)
      setMe(who)
      setSignedOut(false)
    }).catch((err: unknown) => {
      if (!(err instanceof ApiError && err.status === 401)) report(describeError(err))
    })
  }, [api, report])

  /** Use an API key, a personal token (vxt_…) or an access token from now on, in this browser. */
  const signIn = useCallback((credential: string) => {
    api.apiKey = credential || null
    window.localStorage.setItem(KEY_STORAGE, credential)
    report(null)
    load()
  }, [api, load, report])

  // Back from the hospital's provider: its code swapped for an access token first, then who that is.
  useEffect(() => {
    if (!isCallback()) {
      load()
      return
    }
    api.signInOptions().then((options) => {
      if (!options.oidc) throw new Error('This server has no OpenID Connect provider.')
      return completeSignIn(options.oidc)
    }).then(signIn).catch((err: unknown) => {
      report(`Sign-in with your hospital account failed: ${describeError(err)}`)
      setSignedOut(true)
    })
  }, [api, load, report, signIn])

  /** Forget the credential and everything of this person in this tab (cases, results, drawings: the
   * workspace is unmounted): back to the sign-in form. */
  const signOut = useCallback(() => {
    api.apiKey = null
    forgetPerson(window.sessionStorage, window.localStorage)
    setMe(null)
    setSignedOut(true)
    report(null)
  }, [api, report])

  return { me, signedOut, signIn, signOut }
}

export type Session = ReturnType<typeof useSession>
