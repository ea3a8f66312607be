import { expect, test } from '@playwright/test'

// The app on port + 5 trusts the OpenID Connect provider on port + 6 (tests/oidc/provider.mjs).
const app = () => `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 5}`
const issuer = () => `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 6}`

test('hospital sign-in: the provider\'s login and consent pages, back in the app as alice with her access token',
  async ({ page }) => {
    await page.goto(`${app()}/`)
    await expect(page.getByTestId('api-key-input')).toBeVisible()
    const asked = page.waitForRequest((r) => r.url().startsWith(`${issuer()}/auth?`))
    await page.getByTestId('oidc-sign-in').click()
    // The authorization request: the code flow with PKCE (S256), for the server's resource.
    const authorize = new URL((await asked).url())
    expect(authorize.searchParams.get('response_type')).toBe('code')
    expect(authorize.searchParams.get('client_id')).toBe('voxtell-web')
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorize.searchParams.get('resource')).toBe('urn:voxtell-web')

    // The provider's own pages: its development login form (any password), then the consent.
    await page.waitForURL((url) => url.origin === issuer())
    await page.locator('input[name=login]').fill('alice')
    await page.locator('input[name=password]').fill('any')
    await page.locator('button[type=submit]').click()
    await page.locator('button[type=submit]').click()

    // Back in the app, signed in as alice through the provider; the code gone from the address.
    await page.waitForURL((url) => url.origin === app())
    await expect(page.getByTestId('whoami-name')).toHaveText('alice')
    await expect(page.getByTestId('whoami-role')).toHaveText('user')
    await expect(page.getByTestId('api-key-input')).toHaveCount(0)
    await expect(page.getByTestId('my-cases-empty')).toBeVisible()
    expect(new URL(page.url()).search).toBe('')
    const token = await page.evaluate(() => localStorage.getItem('voxtell-web-api-key'))
    expect(token?.split('.')).toHaveLength(3) // a JWT, not an API key
    const me = await page.request.get(`${app()}/api/me`, { headers: { Authorization: `Bearer ${token}` } })
    expect((await me.json()).via).toBe('oidc')

    // A reload keeps her signed in; signing out forgets the token.
    await page.reload()
    await expect(page.getByTestId('whoami-name')).toHaveText('alice')
    await page.getByTestId('sign-out').click()
    await expect(page.getByTestId('oidc-sign-in')).toBeVisible()
    expect(await page.evaluate(() => localStorage.getItem('voxtell-web-api-key'))).toBeNull()

    // The next person at this browser is asked who they are: the provider's session of alice is not reused.
    await page.getByTestId('oidc-sign-in').click()
    await page.waitForURL((url) => url.origin === issuer(), { timeout: 20_000 })
    await expect(page.locator('input[name=login]')).toBeVisible()
  })
