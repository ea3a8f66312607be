import { expect, test, type APIRequestContext } from '@playwright/test'

// The key-protected server (VOXTELL_API_KEY 'e2e-secret-key': the bootstrap administrator).
const keyed = () => `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 1}`
const ADMIN = { Authorization: 'Bearer e2e-secret-key' }

async function limits(request: APIRequestContext, id: string): Promise<[number | null, number | null]> {
  const users = (await (await request.get(`${keyed()}/api/admin/users`, { headers: ADMIN })).json()) as
    { id: string; max_queued: number | null; max_daily_compute_s: number | null }[]
  const user = users.find((u) => u.id === id)!
  return [user.max_queued, user.max_daily_compute_s]
}

test('admin page: a person\'s daily compute limit is set, kept beside the waiting-job limit, and emptied back to the server\'s',
  async ({ browser, request }) => {
    const name = `dora-${Date.now().toString(36)}`
    const made = await request.post(`${keyed()}/api/admin/users`, { headers: ADMIN, data: { name } })
    expect(made.status()).toBe(201)
    const id = (await made.json()).id as string

    const page = await (await browser.newContext({ baseURL: keyed(), viewport: { width: 1400, height: 860 } })).newPage()
    await page.goto('/')
    await page.getByTestId('api-key-input').fill('e2e-secret-key')
    await page.getByTestId('api-key-save').click()
    await page.getByTestId('admin-open').click()
    const row = page.locator(`[data-testid=user-row][data-user="${id}"]`)
    await expect(row.getByTestId('user-daily-compute')).toHaveValue('')

    await row.getByTestId('user-daily-compute').fill('3600')
    await row.getByTestId('user-daily-compute-set').click()
    await expect.poll(() => limits(request, id)).toEqual([null, 3600])
    await row.getByTestId('user-limit').fill('5')
    await row.getByTestId('user-limit-set').click()
    await expect.poll(() => limits(request, id)).toEqual([5, 3600])

    // Shown again after a reload; emptying the daily field keeps the waiting-job limit.
    await page.reload()
    await page.getByTestId('admin-open').click()
    await expect(row.getByTestId('user-daily-compute')).toHaveValue('3600')
    await row.getByTestId('user-daily-compute').fill('')
    await row.getByTestId('user-daily-compute-set').click()
    await expect.poll(() => limits(request, id)).toEqual([5, null])
  })
