/**
 * Sign-in with the hospital's OpenID Connect provider (oidc-client-ts: authorization code + PKCE, as
 * OHIF does). The server names the provider (GET /api/sign-in); the provider sends the browser back
 * to the app's own address with a code, which is swapped for an access token: the bearer credential
 * from then on, like an API key.
 */

import { UserManager, WebStorageStateStore } from 'oidc-client-ts'
import type { OidcSignIn } from '../api/types'

/** Where the provider sends the browser back: the app itself (the server serves it at /). */
export function redirectUri(): string {
  return `${window.location.origin}/`
}

export function userManager(oidc: OidcSignIn): UserManager {
  const resource = oidc.resource ? { resource: oidc.resource } : undefined
  return new UserManager({
    authority: oidc.issuer,
    client_id: oidc.client_id,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: oidc.scope ?? 'openid profile',
    // RFC 8707: the provider issues a JWT access token for the server only when asked for its resource.
    extraQueryParams: resource,
    extraTokenParams: resource,
    // The tab's own storage: gone with the tab, and forgotten at sign-out (lib/tab-owner.ts).
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    loadUserInfo: false,
    automaticSilentRenew: false,
  })
}

/** This page load is the provider sending the browser back (a code, or an error, and the state). */
export function isCallback(search: string = window.location.search): boolean {
  const params = new URLSearchParams(search)
  return params.has('state') && (params.has('code') || params.has('error'))
}

let completing: Promise<string> | null = null

/** The access token of the sign-in the provider just completed (once per page load: a code is
 * good once); the address cleaned of the code. */
export function completeSignIn(oidc: OidcSignIn): Promise<string> {
  completing ??= swap(oidc)
  return completing
}

async function swap(oidc: OidcSignIn): Promise<string> {
  try {
    const user = await userManager(oidc).signinRedirectCallback()
    return user.access_token
  } finally {
    window.history.replaceState(null, '', redirectUri())
  }
}
