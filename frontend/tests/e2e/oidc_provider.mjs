// The OpenID Connect provider of tests/oidc/provider.mjs (npm oidc-provider, installed there by
// `npm ci` in tests/oidc), for a browser app: a single-page app swaps its code for tokens with
// fetch, from its own origin, so the provider must allow that origin (CORS) on its token endpoint,
// as a hospital's provider does for a registered web app (Keycloak's "Web origins"): here, the
// origin of the client's redirect URI. Otherwise the same provider, people and tokens.
//   node frontend/tests/e2e/oidc_provider.mjs <port> <redirect_uri>
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../../tests/oidc/package.json', import.meta.url))
const { default: Provider } = await import(require.resolve('oidc-provider'))

const [port, redirectUri] = [Number(process.argv[2]), process.argv[3]]
const issuer = `http://127.0.0.1:${port}`
const people = {
  alice: { roles: ['voxtell-user'], name: 'Alice Resident' },
  boss: { roles: ['voxtell-admin'], name: 'Head of Department' },
  visitor: { roles: ['library-reader'], name: 'A Visitor' },
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'voxtell-web',
    token_endpoint_auth_method: 'none', // a browser app: PKCE, no secret
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
  pkce: { methods: ['S256'], required: () => true },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:voxtell-web',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'openid profile',
        audience: 'voxtell-web',
        accessTokenTTL: 600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  findAccount: async (_ctx, id) => (people[id] ? {
    accountId: id,
    claims: async () => ({ sub: id, name: people[id].name, preferred_username: id }),
  } : undefined),
  extraTokenClaims: async (_ctx, token) => (people[token.accountId] ? {
    preferred_username: token.accountId,
    realm_access: { roles: people[token.accountId].roles },
  } : {}),
  claims: { profile: ['name', 'preferred_username'] },
})
provider.on('server_error', (_ctx, error) => console.error('server_error', error))
provider.listen(port, '127.0.0.1', () => console.log(`OIDC provider ready on ${issuer}`))
