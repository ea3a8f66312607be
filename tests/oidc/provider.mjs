// A real OpenID Connect provider for the tests (npm oidc-provider, OpenID Certified), on loopback:
//   node provider.mjs <port> <redirect_uri>
// Two people with roles in Keycloak's claim (realm_access.roles) and one without any VoxTell role.
// Access tokens are JWTs for the audience "voxtell-web" (resource indicators), as Keycloak issues them.
// The login page is oidc-provider's own development form (any password); the consent is asked once.
// A single-page app swaps its code for tokens with fetch from its own origin, so the token endpoint
// allows the origin of the client's redirect URI (CORS), as a hospital's provider does for a
// registered web app (Keycloak's "Web origins"). Used by tests/backend/test_oidc.py and the
// browser test frontend/tests/e2e/oidc.spec.ts.
//
// Signing keys: oidc-provider's development keys, or with OIDC_GENERATED_KEYS=1 an RSA key made at
// start that can be rotated while the provider runs, as a hospital's provider rotates its keys:
//   POST /__test/rotate    a new signing key (a new kid) signs from now on; the JWKS publishes it
//                          and the previous one (tokens in flight still check), no older one
//   GET  /__test/jwks-hits how many times the JWKS (/jwks) was fetched, to see a relying party's cache
import http from 'node:http'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import Provider from 'oidc-provider'

const [port, redirectUri] = [Number(process.argv[2]), process.argv[3]]
const issuer = `http://127.0.0.1:${port}`
const people = {
  alice: { roles: ['voxtell-user'], name: 'Alice Resident' },
  boss: { roles: ['voxtell-admin'], name: 'Head of Department' },
  visitor: { roles: ['library-reader'], name: 'A Visitor' },
}

const generatedKeys = process.env.OIDC_GENERATED_KEYS === '1'

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { ...privateKey.export({ format: 'jwk' }), kid: `key-${randomBytes(6).toString('hex')}`, use: 'sig', alg: 'RS256' }
}

const makeProvider = (keys) => new Provider(issuer, {
  ...(keys ? { jwks: { keys } } : {}), // newest first: keys[0] signs
  clients: [{
    client_id: 'voxtell-web',
    token_endpoint_auth_method: 'none', // a browser app: PKCE, no secret
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { methods: ['S256'], required: () => true },
  clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:voxtell-web',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'openid profile',
        audience: 'voxtell-web',
        accessTokenTTL: Number(process.env.OIDC_ACCESS_TOKEN_TTL ?? 600),
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256', ...(keys ? { kid: keys[0].kid } : {}) } },
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

let keys = generatedKeys ? [newKey()] : undefined
let provider
let handle
function serve(newKeys) {
  provider = makeProvider(newKeys)
  provider.on('server_error', (_ctx, error) => console.error('server_error', error))
  handle = provider.callback()
}
serve(keys)

let jwksHits = 0
const answer = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
http.createServer((req, res) => {
  const path = new URL(req.url, issuer).pathname
  if (path === '/__test/jwks-hits') return answer(res, 200, { hits: jwksHits })
  if (path === '/__test/rotate' && req.method === 'POST') {
    if (!generatedKeys) return answer(res, 409, { error: 'development keys: start with OIDC_GENERATED_KEYS=1' })
    keys = [newKey(), keys[0]]
    serve(keys)
    return answer(res, 200, { kid: keys[0].kid, published: keys.map((key) => key.kid) })
  }
  if (path === '/jwks') jwksHits += 1
  return handle(req, res)
}).listen(port, '127.0.0.1', () => console.log(`OIDC provider ready on ${issuer}`))
