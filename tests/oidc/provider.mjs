// A real OpenID Connect provider for the tests (npm oidc-provider, OpenID Certified), on loopback:
//   node provider.mjs <port> <redirect_uri>
// Two people with roles in Keycloak's claim (realm_access.roles) and one without any VoxTell role.
// Access tokens are JWTs for the audience "voxtell-web" (resource indicators), as Keycloak issues them.
// The login page is oidc-provider's own development form (any password); the consent is asked once.
// A single-page app swaps its code for tokens with fetch from its own origin, so the token endpoint
// allows the origin of the client's redirect URI (CORS), as a hospital's provider does for a
// registered web app (Keycloak's "Web origins"). Used by tests/backend/test_oidc.py and the
// browser test frontend/tests/e2e/oidc.spec.ts.
import Provider from 'oidc-provider'

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
