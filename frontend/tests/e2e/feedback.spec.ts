import { expect, test } from '@playwright/test'
import { job, recordAttribute, recorded, session } from './helpers'
import { holdJobs, releaseJobs } from './hold'
import { makeVolume } from './nifti'

/** Every (status text, windows done, ETA text) the job row shows, recorded on each DOM change. */
async function recordJobRow(page: import('@playwright/test').Page) {
  await page.evaluate(() => {
    const log: string[][] = []
    ;(window as unknown as Record<string, unknown>).__jobrow = log
    const snap = () => {
      const row = document.querySelector('[data-testid=job-row]')
      if (!row) return
      const values = [row.querySelector('[data-testid=job-status]')?.textContent ?? '',
        row.querySelector('[data-testid=job-progress]')?.getAttribute('data-done') ?? '',
        row.querySelector('[data-testid=job-eta]')?.textContent ?? '',
        row.querySelector('[data-testid=job-phases]')?.textContent ?? '']
      const last = log[log.length - 1]
      if (!last || last.some((v, i) => v !== values[i])) log.push(values)
    }
    new MutationObserver(snap).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true })
  })
}

test.afterEach(releaseJobs)

test('job feedback in plain words: phases from the server (a free-text prompt loads the text model), ETA only once known, overlays loading until drawn',
  async ({ page, request }) => {
    await page.goto('/')
    await page.getByTestId('file-input').setInputFiles({ name: 'ct.nii.gz', mimeType: 'application/gzip',
      buffer: makeVolume([160, 140, 120], [1.2, 1.0, 1.5]) })
    await expect(page.getByTestId('volume-info')).toHaveText(/160×140×120/)
    await recordJobRow(page)
    await recordAttribute(page, 'rowstate', 'result-row', ['data-state'])
    // Not in the embedding bank: the text model has to encode it.
    const prompt = 'a small hypodense lesion in liver segment seven'
    await page.getByTestId('prompt-input').fill(prompt)
    // The job is held after its second window (however fast the machine): the server gives an ETA
    // once two windows are done and segmenting has gone on for 3 s, and the row must show it.
    holdJobs(2)
    await page.getByTestId('run-button').click()
    await expect(page.getByTestId('job-phases')).toContainText('loading the text model', { timeout: 120_000 })
    await expect(page.getByTestId('job-status')).toHaveText('segmenting: part 3 of 48', { timeout: 120_000 })
    await expect(page.getByTestId('job-eta'), 'the ETA the server gives once known').toHaveText(/^ · (< 1 s|\d+ s|\d+ min) left$/, { timeout: 30_000 })
    await expect(page.getByTestId('job-status')).toHaveText('segmenting: part 3 of 48') // still held: two parts done
    const { jobIds: [heldId] } = await session(page)
    const held = await job(request, heldId)
    expect([held.status, held.done], 'held after two windows').toEqual(['running', 2])
    expect(held.eta_s, 'the server has an ETA').toBeGreaterThan(0)
    releaseJobs()
    await expect(page.getByTestId('result-row')).toHaveCount(1, { timeout: 300_000 })
    await expect(page.getByTestId('result-row')).toHaveAttribute('data-state', 'shown', { timeout: 60_000 })

    const { jobIds: [jobId] } = await session(page)
    const server = (await job(request, jobId)) as unknown as { phase: string; phase_log: { phase: string }[] }
    expect(server.phase).toBe('done')
    expect(server.phase_log.map((p) => p.phase)).toContain('loading_text_model')
    const rows = await page.evaluate(() => (window as unknown as Record<string, string[][]>).__jobrow)
    const statuses = rows.map(([status]) => status)
    expect(statuses.some((s) => /^segmenting: part \d+ of 48$/.test(s)), `statuses shown: ${statuses}`).toBe(true)
    expect(statuses.every((s) => /^(waiting in queue( \(position \d+\))?|loading the text model|encoding prompts|segmenting(: part \d+ of 48)?|writing results)$/.test(s)),
      `only plain words: ${[...new Set(statuses)]}`).toBe(true)
    // An ETA only once the server has one: while segmenting never before two parts are done,
    // never while the text model loads or prompts are encoded (in the queue the server may know
    // one from the jobs before).
    const withEta = rows.filter(([, , eta]) => eta)
    expect(withEta.some(([status]) => status.startsWith('segmenting')), 'an ETA was shown once known').toBe(true)
    for (const [status, done] of withEta) {
      expect(status).toMatch(/^(segmenting|waiting in queue)/)
      if (status.startsWith('segmenting')) expect(Number(done)).toBeGreaterThanOrEqual(2)
    }
    // The overlay said "loading" until it was drawn.
    const states = (await recorded(page, 'rowstate')).map(([s]) => s)
    expect(states[states.length - 1]).toBe('shown')
    expect(states, `row states: ${states}`).toContain('loading')
  })
