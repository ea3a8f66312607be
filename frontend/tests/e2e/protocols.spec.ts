import { expect, test } from '@playwright/test'
import { job, session, swatchColor, type Rgb } from './helpers'
import { makeVolumeFrom } from './nifti'

// A protocol instead of free-text prompts: picked in the prompt panel, its structures shown as chips
// with their names and colours, run as one job ({protocol}); the results carry the structures' names
// and colours (the server sets them from the protocol).

interface Structure { prompt: string; name: string; color: Rgb }

test('protocols: pelvis-rt picked on an uploaded volume runs as one job; the masks carry its names and colours',
  async ({ page, request }) => {
    const answer = await request.get('/api/protocols/pelvis-rt')
    expect(answer.status()).toBe(200)
    const structures = (await answer.json()).structures as Structure[]
    expect(structures.slice(0, 3).map((s) => s.name)).toEqual(['Prostate', 'SeminalVes', 'Bladder'])

    await page.goto('/')
    await page.getByTestId('file-input').setInputFiles({ name: 'pelvis.nii.gz', mimeType: 'application/gzip',
      buffer: makeVolumeFrom([32, 32, 12], [1, 1, 2], () => 40) })
    await expect(page.getByTestId('volume-info')).toHaveText(/32×32×12/)

    // Free-text prompts by default; picking the protocol shows its structures instead of the text box.
    await expect(page.getByTestId('prompt-input')).toBeVisible()
    await expect(page.getByTestId('protocol-select').locator('option[value="pelvis-rt"]')).toHaveCount(1)
    await page.getByTestId('protocol-select').selectOption('pelvis-rt')
    await expect(page.getByTestId('prompt-input')).toHaveCount(0)
    const chips = page.getByTestId('protocol-chip')
    await expect(chips).toHaveCount(structures.length)
    for (const [i, s] of structures.entries()) {
      await expect(chips.nth(i)).toHaveAttribute('data-name', s.name)
      await expect(chips.nth(i)).toContainText(s.prompt)
    }

    // Back to free text and to the protocol again: nothing is lost either way.
    await page.getByTestId('protocol-clear').click()
    await expect(page.getByTestId('prompt-input')).toBeVisible()
    await expect(page.getByTestId('protocol-chip')).toHaveCount(0)
    await page.getByTestId('protocol-select').selectOption('pelvis-rt')
    await expect(page.getByTestId('run-button')).toBeEnabled()
    await page.getByTestId('run-button').click()

    const rows = page.getByTestId('result-row')
    await expect(rows).toHaveCount(structures.length, { timeout: 180_000 })
    await expect(page.getByTestId('result-name')).toHaveText(structures.map((s) => s.name))
    for (const [i, s] of structures.entries()) expect(await swatchColor(page, i), s.name).toEqual(s.color)

    // One job, run as the protocol, its prompts the structures'.
    const { jobIds } = await session(page)
    expect(jobIds).toHaveLength(1)
    const ran = await job(request, jobIds[0]) as unknown as { protocol: string | null; prompts: string[] }
    expect(ran.protocol).toBe('pelvis-rt')
    expect(ran.prompts).toEqual(structures.map((s) => s.prompt))
  })
