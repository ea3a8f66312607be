import { readFile } from 'node:fs/promises'
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test'
import { session } from './helpers'
import { makeVolume } from './nifti'

// The key-protected server (VOXTELL_API_KEY 'e2e-secret-key': the bootstrap administrator).
const keyed = () => `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 1}`
const ADMIN = { Authorization: 'Bearer e2e-secret-key' }

/** A new person and a personal token of theirs, made through the admin API. */
async function person(request: APIRequestContext, name: string): Promise<{ id: string; token: string }> {
  const user = await request.post(`${keyed()}/api/admin/users`, { headers: ADMIN, data: { name } })
  expect(user.status()).toBe(201)
  const id = (await user.json()).id as string
  const token = await request.post(`${keyed()}/api/admin/users/${id}/tokens`, { headers: ADMIN, data: { name: 'e2e' } })
  expect(token.status()).toBe(201)
  return { id, token: (await token.json()).token as string }
}

/** A page of its own browser context (its own storage: another person's browser) on the keyed server. */
async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: keyed(), viewport: { width: 1400, height: 860 } })
  return context.newPage()
}

async function signIn(page: Page, credential: string) {
  await page.goto('/')
  await expect(page.getByTestId('api-key-input')).toBeVisible()
  await page.getByTestId('api-key-input').fill(credential)
  await page.getByTestId('api-key-save').click()
  await expect(page.getByTestId('whoami')).toBeVisible()
  await expect(page.getByTestId('api-key-input')).toHaveCount(0)
}

test('people: each sees only their own cases on the server; another person\'s volume answers 404', async ({ browser, request }) => {
  const stamp = Date.now().toString(36)
  const alice = await person(request, `alice-${stamp}`)
  const bob = await person(request, `bob-${stamp}`)

  // Alice signs in with her token: her name and role, a sign-out, no admin page.
  const a = await newPage(browser)
  await signIn(a, alice.token)
  await expect(a.getByTestId('whoami-name')).toHaveText(`alice-${stamp}`)
  await expect(a.getByTestId('whoami-role')).toHaveText('user')
  await expect(a.getByTestId('sign-out')).toBeVisible()
  await expect(a.getByTestId('admin-open')).toHaveCount(0)
  await expect(a.getByTestId('my-cases-empty')).toBeVisible()

  // She uploads a volume and runs a prompt; the case is listed as hers on the server.
  await a.getByTestId('file-input').setInputFiles({ name: 'alice.nii.gz', mimeType: 'application/gzip',
    buffer: makeVolume([40, 36, 30], [1, 1, 2]) })
  await expect(a.getByTestId('volume-info')).toHaveText(/40×36×30/)
  const volumeId = (await session(a)).volumeId
  await a.getByTestId('prompt-input').fill('liver')
  await a.getByTestId('prompt-input').press('Enter')
  await a.getByTestId('run-button').click()
  await expect(a.getByTestId('result-row')).toHaveCount(1, { timeout: 120_000 })
  const mine = a.locator(`[data-testid=my-case][data-volume="${volumeId}"]`)
  await expect(mine).toBeVisible()
  await expect(mine.getByTestId('my-case-jobs')).toContainText('liver')
  // Her statistics as CSV: a row for her mask, the server's numbers, nothing of anyone else's
  // (the list is read again to have the job finished).
  await a.getByTestId('my-cases-refresh').click()
  await expect(a.getByTestId('my-cases-stats-csv')).toBeEnabled()
  const [csv] = await Promise.all([a.waitForEvent('download'), a.getByTestId('my-cases-stats-csv').click()])
  expect(csv.suggestedFilename()).toMatch(/^voxtell_statistics_\d{8}-\d{4}\.csv$/)
  const rows = (await readFile(await csv.path(), 'utf8')).trim().split('\n').map((l) => l.split(','))
  const jobsOfHers = await (await a.evaluate(async (id) => {
    const headers = { Authorization: `Bearer ${localStorage.getItem('voxtell-web-api-key')}` }
    return (await fetch(`/api/jobs?volume_id=${id}`, { headers })).json()
  }, volumeId)) as { id: string; results: { voxels: number }[] }[]
  expect(rows.slice(1).map((r) => [r[0], r[2], r[6], r[9]]))
    .toEqual([[volumeId, jobsOfHers[0].id, 'liver', String(jobsOfHers[0].results[0].voxels)]])

  // Bob, in another browser, sees none of Alice's cases; her volume and its jobs are not there for him.
  const b = await newPage(browser)
  await signIn(b, bob.token)
  await expect(b.getByTestId('whoami-name')).toHaveText(`bob-${stamp}`)
  await expect(b.getByTestId('my-cases-empty')).toBeVisible()
  await expect(b.getByTestId('my-case')).toHaveCount(0)
  const answers = await b.evaluate(async (id) => {
    const headers = { Authorization: `Bearer ${localStorage.getItem('voxtell-web-api-key')}` }
    const volume = await fetch(`/api/volumes/${id}`, { headers })
    const jobs = await fetch(`/api/jobs?volume_id=${id}`, { headers })
    const volumes = await fetch('/api/volumes', { headers })
    return { volume: volume.status, jobs: await jobs.json(), volumes: await volumes.json() }
  }, volumeId)
  expect(answers.volume).toBe(404)
  expect(answers.jobs).toEqual([])
  expect(answers.volumes).toEqual([])

  // Alice, in a fresh tab (no open cases), reopens her case from the server with its result.
  const again = await a.context().newPage()
  await again.goto('/')
  await expect(again.getByTestId('whoami-name')).toHaveText(`alice-${stamp}`)
  await expect(again.getByTestId('my-case')).toHaveCount(1)
  await again.locator(`[data-testid=my-case][data-volume="${volumeId}"]`).getByTestId('my-case-open').click()
  await expect(again.getByTestId('volume-info')).toHaveText(/40×36×30/)
  await expect(again.getByTestId('result-row')).toHaveCount(1)

  // Signing out forgets the credential: back to the sign-in form, even after a reload.
  await again.getByTestId('sign-out').click()
  await expect(again.getByTestId('api-key-input')).toBeVisible()
  await expect(again.getByTestId('whoami')).toHaveCount(0)
  await again.reload()
  await expect(again.getByTestId('api-key-input')).toBeVisible()
  await expect(again.getByTestId('error-message')).toContainText('missing credentials')
})

test('admin page: add a person and a token, which signs in elsewhere; disabling them signs them out; the audit shows their login',
  async ({ browser }) => {
    const name = `carol-${Date.now().toString(36)}`
    const admin = await newPage(browser)
    await signIn(admin, 'e2e-secret-key')
    await expect(admin.getByTestId('whoami-role')).toHaveText('admin')
    await admin.getByTestId('admin-open').click()
    await expect(admin.getByTestId('admin-page')).toBeVisible()

    // A new person, and a token for them shown once.
    await admin.getByTestId('user-name').fill(name)
    await admin.getByTestId('user-add').click()
    const row = admin.locator(`[data-testid=user-row][data-name="${name}"]`)
    await expect(row).toHaveAttribute('data-disabled', 'false')
    const userId = await row.getAttribute('data-user')
    await row.getByTestId('user-tokens').click()
    const tokens = admin.getByTestId('user-tokens-row')
    await tokens.getByTestId('token-name').fill('laptop')
    await tokens.getByTestId('token-create').click()
    const token = (await tokens.getByTestId('token-text').textContent()) ?? ''
    expect(token).toMatch(/^vxt_/)
    await expect(tokens.getByTestId('token-row')).toHaveCount(1)
    await expect(tokens.getByTestId('token-copy')).toBeVisible()

    // The token signs in in another browser: the person, not an administrator.
    const carol = await newPage(browser)
    await signIn(carol, token)
    await expect(carol.getByTestId('whoami-name')).toHaveText(name)
    await expect(carol.getByTestId('admin-open')).toHaveCount(0)

    // Disabled: their next request lands on the sign-in form with the server's reason.
    await row.getByTestId('user-toggle').click()
    await expect(row).toHaveAttribute('data-disabled', 'true')
    await expect(row.getByTestId('user-status')).toHaveText('disabled')
    await carol.getByTestId('my-cases-refresh').click()
    await expect(carol.getByTestId('api-key-input')).toBeVisible()
    await expect(carol.getByTestId('whoami')).toHaveCount(0)
    await expect(carol.getByTestId('error-message')).toContainText('disabled')

    // The audit trail filtered by that person shows their login, and only their events.
    await admin.getByTestId('audit-user').selectOption(userId!)
    await admin.getByTestId('audit-action').selectOption('login')
    await admin.getByTestId('audit-apply').click()
    const events = admin.getByTestId('audit-row')
    await expect(events.first()).toHaveAttribute('data-action', 'login')
    for (const user of await events.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')))) {
      expect(user).toBe(userId)
    }
  })

test('a workstation (no API key): everyone is the local user, with no sign-in and no sign-out', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByTestId('whoami-name')).toHaveText('local user')
  await expect(page.getByTestId('sign-out')).toHaveCount(0)
  await expect(page.getByTestId('api-key-input')).toHaveCount(0)
  await expect(page.getByTestId('my-cases')).toBeVisible()
})

test('my tokens: a person makes a token of their own (shown once) and revokes it', async ({ browser, request }) => {
  const dana = await person(request, `dana-${Date.now().toString(36)}`)
  const page = await newPage(browser)
  await signIn(page, dana.token)
  await page.getByTestId('my-tokens-open').click()
  const list = page.getByTestId('my-tokens')
  await expect(list.getByTestId('token-row')).toHaveCount(1)
  await list.getByTestId('token-name').fill('scripts')
  await list.getByTestId('token-create').click()
  const text = (await list.getByTestId('token-text').textContent()) ?? ''
  expect(text).toMatch(/^vxt_/)
  await expect(list.getByTestId('token-row')).toHaveCount(2)
  const me = await request.get(`${keyed()}/api/me`, { headers: { Authorization: `Bearer ${text}` } })
  expect((await me.json()).name).toBe(await page.getByTestId('whoami-name').textContent())
  const id = text.split('_')[1]
  await list.locator(`[data-testid=token-row][data-token="${id}"]`).getByTestId('token-revoke').click()
  await expect(list.locator(`[data-testid=token-row][data-token="${id}"]`)).toHaveAttribute('data-revoked', 'true')
  expect((await request.get(`${keyed()}/api/me`, { headers: { Authorization: `Bearer ${text}` } })).status()).toBe(401)
})

test('sign-out: the next person in the same tab sees nothing of the previous one (cases, viewer, results, storage), after a reload too',
  async ({ browser, request }) => {
    const stamp = Date.now().toString(36)
    const alice = await person(request, `alice-${stamp}`)
    const bob = await person(request, `bob-${stamp}`)
    const page = await newPage(browser)
    await signIn(page, alice.token)
    await page.getByTestId('file-input').setInputFiles({ name: `alice-${stamp}.nii.gz`, mimeType: 'application/gzip',
      buffer: makeVolume([40, 36, 30], [1, 1, 2]) })
    await expect(page.getByTestId('volume-info')).toHaveText(/40×36×30/)
    const volumeId = (await session(page)).volumeId
    await page.getByTestId('prompt-input').fill('liver')
    await page.getByTestId('prompt-input').press('Enter')
    await page.getByTestId('run-button').click()
    await expect(page.getByTestId('result-row')).toHaveCount(1, { timeout: 120_000 })
    await expect(page.getByTestId('case-row')).toHaveCount(1)
    await expect(page.locator(`[data-testid=my-case][data-volume="${volumeId}"]`)).toBeVisible()

    // Alice signs out: nothing of hers is left on the page or in the tab's storage.
    await page.getByTestId('sign-out').click()
    await expect(page.getByTestId('api-key-input')).toBeVisible()
    const traces = () => page.evaluate(() => JSON.stringify({ session: { ...sessionStorage }, local: { ...localStorage } }))
    const none = async () => {
      await expect(page.getByTestId('case-row')).toHaveCount(0)
      await expect(page.getByTestId('result-row')).toHaveCount(0)
      await expect(page.getByTestId('volume-info')).toHaveCount(0)
      await expect(page.getByTestId('my-case')).toHaveCount(0)
      await expect(page.locator('body')).not.toContainText(`alice-${stamp}`)
      const stored = await traces()
      expect(stored).not.toContain(volumeId)
      expect(stored).not.toContain(`alice-${stamp}`)
      expect(stored).not.toContain(alice.token)
    }
    await none()

    // Bob signs in in the same tab: his (empty) workspace, none of Alice's case, result or viewer.
    await page.getByTestId('api-key-input').fill(bob.token)
    await page.getByTestId('api-key-save').click()
    await expect(page.getByTestId('whoami-name')).toHaveText(`bob-${stamp}`)
    await expect(page.getByTestId('my-cases-empty')).toBeVisible()
    await expect(page.getByTestId('empty-state')).toBeVisible()
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', '')
    await none()

    // And so after a reload.
    await page.reload()
    await expect(page.getByTestId('whoami-name')).toHaveText(`bob-${stamp}`)
    await expect(page.getByTestId('my-cases-empty')).toBeVisible()
    await expect(page.getByTestId('empty-state')).toBeVisible()
    await none()
  })

test('projects: alice uploads into a project of hers and bob\'s; bob sees the case with the project\'s name and opens it',
  async ({ browser, request }) => {
    const stamp = Date.now().toString(36)
    const alice = await person(request, `alice-${stamp}`)
    const bob = await person(request, `bob-${stamp}`)
    const made = await request.post(`${keyed()}/api/admin/projects`, { headers: ADMIN, data: { name: `ward-${stamp}` } })
    expect(made.status()).toBe(201)
    const project = (await made.json()).id as string
    for (const member of [alice, bob]) {
      const put = await request.put(`${keyed()}/api/admin/projects/${project}/members/${member.id}`, { headers: ADMIN })
      expect(put.ok()).toBe(true)
    }

    // Alice: uploads are hers only by default; she chooses the project, then uploads.
    const a = await newPage(browser)
    await signIn(a, alice.token)
    const choice = a.getByTestId('upload-project')
    await expect(choice).toHaveValue('')
    await expect(choice.locator('option')).toHaveText(['only me', `project ward-${stamp}`])
    await choice.selectOption(project)
    await a.getByTestId('file-input').setInputFiles({ name: 'ward.nii.gz', mimeType: 'application/gzip',
      buffer: makeVolume([40, 36, 30], [1, 1, 2]) })
    await expect(a.getByTestId('volume-info')).toHaveText(/40×36×30/)
    const volumeId = (await session(a)).volumeId
    const stored = await request.get(`${keyed()}/api/volumes/${volumeId}`, { headers: ADMIN })
    expect((await stored.json()).project).toBe(project)
    await expect(a.locator(`[data-testid=my-case][data-volume="${volumeId}"]`).getByTestId('my-case-project'))
      .toHaveText(`project ward-${stamp}`)

    // Bob, a member, sees it among his cases with the project's name, and opens it.
    const b = await newPage(browser)
    await signIn(b, bob.token)
    const row = b.locator(`[data-testid=my-case][data-volume="${volumeId}"]`)
    await expect(row.getByTestId('my-case-project')).toHaveText(`project ward-${stamp}`)
    await row.getByTestId('my-case-open').click()
    await expect(b.getByTestId('volume-info')).toHaveText(/40×36×30/)
    await expect(b.getByTestId('case-row')).toHaveCount(1)
  })
