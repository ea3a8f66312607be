import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { python } from './dicom_study'

// The DICOM worklist against the real node (playwright.config.ts: the server on port + 7 with its
// node on port + 8): a scanner (dcmtk storescu, AE CT1) sends CT series, the planning systems are
// dcmtk storescp. A review rule holds pelvis-rt drafts until someone opens and approves them; an
// automatic rule sends at once, to one destination that is up and one that is down until re-sent.

const base = () => `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 7}`
const nodePort = () => Number(process.env.VOXTELL_E2E_PORT) + 8
const ADMIN = { Authorization: 'Bearer e2e-secret-key' }

const MAKE_SERIES = `
import sys, numpy as np
from pathlib import Path
sys.path.insert(0, '.')
from tests.dicom.series import write_series
data = np.random.default_rng(1).integers(-200, 800, (16, 16, 6)).astype(np.int16)
write_series(Path(sys.argv[1]), data, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), (0.8, 0.8, 2.5), np.zeros(3),
             description=sys.argv[2], shuffle=False)
`

/** A 16×16×6 CT series described ``description`` in a new folder. */
function makeSeries(description: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'voxtell-worklist-'))
  execFileSync(python, ['-c', MAKE_SERIES, dir, description], { cwd: resolve('..') })
  return dir
}

function storescu(folder: string): void {
  execFileSync('storescu', ['-aet', 'CT1', '-aec', 'VOXTELL', '+sd', '127.0.0.1', String(nodePort()), folder],
    { timeout: 30_000 })
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => done(port))
    })
  })
}

/** dcmtk's storescp as a planning system: what it receives lands in its folder. */
async function storescp(aeTitle: string, port: number): Promise<{ process: ChildProcess; folder: string; port: number }> {
  const folder = mkdtempSync(join(tmpdir(), `voxtell-${aeTitle.toLowerCase()}-`))
  const process = spawn('storescp', ['-aet', aeTitle, '-od', folder, '+xa', String(port)], { stdio: 'ignore' })
  await expect.poll(() => {
    try {
      execFileSync('echoscu', ['-aec', aeTitle, '127.0.0.1', String(port)], { stdio: 'ignore', timeout: 5000 })
      return true
    } catch {
      return false
    }
  }, { message: `storescp ${aeTitle} did not start` }).toBe(true)
  return { process, folder, port }
}

/** Jobs of the node's server wait before their first window while held (backend/devtools/held_predictor.py). */
function hold(on: boolean): void {
  const file = join(process.env.VOXTELL_E2E_DICOM_HOLD_DIR!, 'hold')
  if (!on) return rmSync(file, { force: true })
  writeFileSync(`${file}.tmp`, '0')
  renameSync(`${file}.tmp`, file)
}

async function configure(request: APIRequestContext, tps: number, planning: number): Promise<void> {
  const answer = await request.put(`${base()}/api/dicom/config`, { headers: ADMIN, data: {
    destinations: [{ name: 'tps', ae_title: 'TPS', host: '127.0.0.1', port: tps },
      { name: 'planning', ae_title: 'PLAN', host: '127.0.0.1', port: planning }],
    rules: [
      { id: 'pelvis-review', match: { modality: 'CT', series_description: 'REVIEW' }, protocol: 'pelvis-rt',
        review: 'review', send: [{ destination: 'tps', format: 'rtstruct' }] },
      { id: 'pelvis-auto', match: { modality: 'CT', series_description: 'AUTO' }, protocol: 'pelvis-rt',
        send: [{ destination: 'tps', format: 'rtstruct' }, { destination: 'planning', format: 'rtstruct' }] },
    ],
  } })
  expect(answer.status(), await answer.text()).toBe(200)
}

const row = (page: Page, description: string) =>
  page.getByTestId('worklist-row').filter({ has: page.getByTestId('worklist-description').getByText(description, { exact: true }) })

test('worklist: series from the node newest first; a held job\'s progress; open and approve a review; a failed send retried, then re-sent',
  async ({ browser, request }) => {
    const children: ChildProcess[] = []
    try {
      const tps = await storescp('TPS', await freePort())
      children.push(tps.process)
      const planningPort = await freePort() // nothing listens here until the re-send
      await configure(request, tps.port, planningPort)

      const page = await (await browser.newContext({ baseURL: base(), viewport: { width: 1400, height: 860 } })).newPage()
      await page.goto('/')
      await page.getByTestId('api-key-input').fill('e2e-secret-key')
      await page.getByTestId('api-key-save').click()
      await page.getByTestId('worklist-open').click()
      await expect(page.getByTestId('worklist')).toBeVisible()
      await expect(page.getByTestId('worklist-empty')).toBeVisible()
      await expect(page.getByTestId('worklist-node')).toHaveText(`DICOM node VOXTELL listening on port ${nodePort()}`)

      // A series held for review: while its job is held, the row shows the job's progress.
      hold(true)
      storescu(makeSeries('PELVIS REVIEW'))
      const review = row(page, 'PELVIS REVIEW')
      await expect(review).toHaveAttribute('data-state', 'queued', { timeout: 30_000 })
      await expect(review.getByTestId('worklist-from')).toHaveText('CT1 → VOXTELL')
      await expect(review.getByTestId('worklist-modality')).toHaveText('CT')
      await expect(review.getByTestId('worklist-instances')).toContainText('6 images')
      await expect(review.getByTestId('worklist-rule')).toHaveText('pelvis-review')
      await expect(review.getByTestId('worklist-protocol')).toHaveText('pelvis-rt')
      await expect(review.getByTestId('worklist-job-progress')).toBeVisible()
      await expect(review.getByTestId('worklist-job-words')).toHaveText(/segmenting|waiting in queue|encoding|loading/)
      hold(false)
      await expect(review).toHaveAttribute('data-state', 'review', { timeout: 120_000 })
      await expect(review.getByTestId('worklist-state')).toHaveText('waiting for review')
      expect(readdirSync(tps.folder), 'nothing is sent before approval').toEqual([])

      // Open: the case in the viewer with the drafts, named by the protocol.
      await review.getByTestId('worklist-open').click()
      await expect(page.getByTestId('worklist')).toHaveCount(0)
      await expect(page.getByTestId('volume-info')).toHaveText(/16×16×6/)
      await expect(page.getByTestId('result-name')).toHaveText(
        ['Prostate', 'SeminalVes', 'Bladder', 'Rectum', 'Femur_Head_L', 'Femur_Head_R', 'PenileBulb'], { timeout: 60_000 })

      // Approve and send: the RTSTRUCT reaches the planning system.
      await page.getByTestId('worklist-open').click()
      await review.getByTestId('worklist-approve').click()
      await expect(review).toHaveAttribute('data-state', 'done', { timeout: 60_000 })
      await expect(review.getByTestId('worklist-approved-by')).toContainText('approved by admin')
      await expect(review.getByTestId('worklist-send')).toHaveAttribute('data-state', 'sent')
      await expect(review.getByTestId('worklist-send-words')).toHaveText(/^sent \d/)
      await expect.poll(() => readdirSync(tps.folder).length, { message: 'the RTSTRUCT at the TPS' }).toBe(1)

      // An automatic series: newest first; one destination takes it, the other is down: retried, then failed.
      storescu(makeSeries('PELVIS AUTO'))
      const auto = row(page, 'PELVIS AUTO')
      await expect(page.getByTestId('worklist-row').first().getByTestId('worklist-description')).toHaveText('PELVIS AUTO',
        { timeout: 30_000 })
      const planning = auto.locator('[data-testid=worklist-send][data-destination=planning]')
      await expect(planning.getByTestId('worklist-send-words')).toHaveText(/^retrying: try [23] of 3, next \d/, { timeout: 120_000 })
      await expect(auto.locator('[data-testid=worklist-send][data-destination=tps]')).toHaveAttribute('data-state', 'sent')
      await expect(auto).toHaveAttribute('data-state', 'failed', { timeout: 60_000 })
      await expect(auto.getByTestId('worklist-state')).toHaveText('failed: 1 send(s) failed')
      await expect(planning.getByTestId('worklist-send-words')).toHaveText(/^failed after 3 tries: .+/)

      // The planning system is back: Re-send.
      const plan = await storescp('PLAN', planningPort)
      children.push(plan.process)
      await planning.getByTestId('worklist-resend').click()
      await expect(planning).toHaveAttribute('data-state', 'sent', { timeout: 60_000 })
      await expect(auto).toHaveAttribute('data-state', 'done')
      await expect(planning.getByTestId('worklist-resend')).toHaveCount(0)
      expect(readdirSync(plan.folder)).toHaveLength(1)
      await expect(page.getByTestId('error-message'), 'no action of the worklist failed').toHaveCount(0)
    } finally {
      hold(false)
      for (const child of children) child.kill()
    }
  })

const MAKE_MANY = `
import sys, numpy as np
from pathlib import Path
sys.path.insert(0, '.')
from tests.dicom.series import write_series
data = np.random.default_rng(2).integers(-200, 800, (16, 16, 2)).astype(np.int16)
for i in range(int(sys.argv[2])):
    write_series(Path(sys.argv[1]) / f"s{i:02d}", data, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), (0.8, 0.8, 2.5),
                 np.zeros(3), description=f"PAGE {i:02d}", shuffle=False)
`

test('worklist pages: older and newer a page at a time, every series once, newest first', async ({ browser, request }) => {
  // 21 series no rule matches, sent in one association: more than a page of 20.
  const dir = mkdtempSync(join(tmpdir(), 'voxtell-worklist-many-'))
  execFileSync(python, ['-c', MAKE_MANY, dir, '21'], { cwd: resolve('..') })
  execFileSync('storescu', ['-aet', 'CT1', '-aec', 'VOXTELL', '+sd', '+r', '127.0.0.1', String(nodePort()), dir], { timeout: 60_000 })
  const all = async () => {
    const answer = await request.get(`${base()}/api/dicom/series?limit=500`, { headers: ADMIN })
    return (await answer.json()) as { id: string; series_description: string }[]
  }
  await expect.poll(async () => (await all()).filter((s) => s.series_description.startsWith('PAGE')).length,
    { message: 'the 21 series on the worklist', timeout: 60_000 }).toBe(21)
  const everything = (await all()).map((s) => s.id)

  const page = await (await browser.newContext({ baseURL: base(), viewport: { width: 1400, height: 860 } })).newPage()
  await page.goto('/')
  await page.getByTestId('api-key-input').fill('e2e-secret-key')
  await page.getByTestId('api-key-save').click()
  await page.getByTestId('worklist-open').click()
  await expect(page.getByTestId('worklist-row')).toHaveCount(Math.min(50, everything.length))
  await page.getByTestId('worklist-page-size').selectOption('20')
  await expect(page.getByTestId('worklist-row')).toHaveCount(20)
  await expect(page.getByTestId('worklist-newer')).toBeDisabled()

  const shown: string[] = []
  for (let n = 1; ; n++) {
    await expect(page.getByTestId('worklist-page')).toHaveText(n === 1 ? 'page 1 (newest)' : `page ${n}`)
    const rows = page.getByTestId('worklist-row')
    await expect(rows.first()).toHaveAttribute('data-series', everything[shown.length])
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-series') ?? ''))
    shown.push(...ids)
    if (await page.getByTestId('worklist-older').isDisabled()) break
    await page.getByTestId('worklist-older').click()
  }
  expect(shown, 'every series once, newest first').toEqual(everything)
  await page.getByTestId('worklist-newer').click()
  await expect(page.getByTestId('worklist-page')).toHaveText('page 1 (newest)')
  await expect(page.getByTestId('worklist-row').first()).toHaveAttribute('data-series', everything[0])
  await expect(page.getByTestId('error-message')).toHaveCount(0)
})
