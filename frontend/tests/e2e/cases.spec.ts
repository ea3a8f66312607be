import { expect, test, type Page } from '@playwright/test'
import { dropFiles, readout, session } from './helpers'
import { makeVolumeFrom } from './nifti'
import { decodePng } from './png'

const caseA = () => makeVolumeFrom([64, 64, 32], [1, 1, 2], (x, y) => (x > 20 && x < 44 && y > 20 && y < 44 ? 100 : -1000))
const caseB = () => makeVolumeFrom([48, 40, 24], [1.5, 1.5, 3], () => 700)

/** The level and width fields show ``level`` / ``width`` (retried: they follow the viewer). */
async function expectWindow(page: Page, level: string, width: string) {
  await expect(page.getByTestId('window-level')).toHaveValue(level)
  await expect(page.getByTestId('window-width')).toHaveValue(width)
}

async function download(page: Page, click: () => Promise<void>) {
  const [file] = await Promise.all([page.waitForEvent('download'), click()])
  return file.suggestedFilename()
}

test('cases: a second file asks first, switching back restores results, window and readout; names stay in the browser',
  async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 })
    // Every upload's body as sent, read by a route as the request leaves the page (Chromium's
    // request event carries no body for a FormData holding a File: an empty body shows no name
    // and proves nothing, so the bodies are checked below to hold the files' bytes).
    const uploads: Buffer[] = []
    const urls: string[] = []
    page.on('request', (r) => { urls.push(r.url()) })
    await page.route('**/api/volumes', async (route) => {
      if (route.request().method() === 'POST') uploads.push(route.request().postDataBuffer() ?? Buffer.alloc(0))
      await route.continue()
    })
    await page.goto('/')
    const fileA = caseA()
    await page.getByTestId('file-input').setInputFiles({ name: 'case_a.nii.gz', mimeType: 'application/gzip', buffer: fileA })
    await expect(page.getByTestId('volume-info')).toHaveText(/64×64×32/)
    const a = (await session(page)).volumeId
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', a, { timeout: 60_000 })
    await page.getByTestId('prompt-input').fill('liver')
    await page.getByTestId('prompt-input').press('Enter')
    await page.getByTestId('run-button').click()
    await expect(page.getByTestId('result-row')).toHaveCount(1, { timeout: 120_000 })
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '1', { timeout: 60_000 })
    await page.getByTestId('window-level').fill('150')
    await page.getByTestId('window-width').fill('300')
    await page.getByTestId('window-apply').click()

    // A second file asks before replacing the case on screen; Cancel uploads nothing.
    const fileB = caseB()
    await dropFiles(page, 'canvas', [{ name: 'case_b.nii.gz', buffer: fileB }])
    await expect(page.getByTestId('replace-confirm')).toContainText('Open case_b.nii.gz in place of case_a.nii.gz?')
    await page.keyboard.press('Escape') // or Cancel
    await expect(page.getByTestId('replace-confirm')).toHaveCount(0)
    expect(uploads).toHaveLength(1)
    expect((await session(page)).volumeId).toBe(a)
    await dropFiles(page, 'canvas', [{ name: 'case_b.nii.gz', buffer: fileB }])
    await page.getByTestId('replace-confirm-ok').click()
    await expect(page.getByTestId('volume-info')).toHaveText(/48×40×24/)
    const b = (await session(page)).volumeId
    expect(b).not.toBe(a)
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', b, { timeout: 60_000 })
    // The readout belongs to the new volume at once: its id, its intensity, a voxel inside it.
    const r = await readout(page)
    expect(r.volume).toBe(b)
    expect(r.value).toBe(700)
    r.voxel.forEach((v, i) => expect(v).toBeLessThan([48, 40, 24][i]))
    await expect(page.getByTestId('result-row')).toHaveCount(0)
    await expect(page.getByTestId('case-row')).toHaveText(['case_a.nii.gz×', 'case_b.nii.gz×'])
    await expect(page.getByTestId('window-preset')).toHaveValue('auto (2–98 %)')
    await page.getByTestId('window-level').fill('500')
    await page.getByTestId('window-width').fill('100')
    await page.getByTestId('window-width').press('Enter')

    // Back to case A: its results, overlays, window and readout.
    await page.getByTestId('case-open').filter({ hasText: 'case_a.nii.gz' }).click()
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', a, { timeout: 60_000 })
    await expect(page.getByTestId('result-row')).toHaveCount(1)
    await expect(page.getByTestId('result-row')).toHaveAttribute('data-name', 'liver')
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '1')
    await expectWindow(page, '150', '300')
    expect((await readout(page)).volume).toBe(a)
    // Reloaded: the cases, the current one and each case's window come back.
    await page.reload()
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', a, { timeout: 60_000 })
    await expect(page.getByTestId('case-row')).toHaveCount(2)
    await expectWindow(page, '150', '300')
    await page.getByTestId('case-open').filter({ hasText: 'case_b.nii.gz' }).click()
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', b, { timeout: 60_000 })
    await expectWindow(page, '500', '100')
    await page.getByTestId('case-open').filter({ hasText: 'case_a.nii.gz' }).click()
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', a, { timeout: 60_000 })

    // Downloads are named after the case (by the app: the server never hears the name).
    const row = page.getByTestId('result-row').first()
    expect(await download(page, () => row.getByTestId('result-download').click())).toBe('case_a_liver.nii.gz')
    expect(await download(page, () => page.getByTestId('download-zip').click())).toMatch(/^case_a_\d{8}-\d{4}_masks\.zip$/)
    expect(await download(page, () => page.getByTestId('download-labelmap').click())).toMatch(/^case_a_\d{8}-\d{4}_labels\.nii\.gz$/)
    expect(await download(page, () => page.getByTestId('download-labels-txt').click())).toMatch(/^case_a_\d{8}-\d{4}_labels\.txt$/)
    expect(urls.filter((u) => u.includes('case_a') || u.includes('case_b'))).toEqual([])

    // Closing a case asks first.
    await page.getByTestId('case-close').nth(1).click()
    await expect(page.getByTestId('close-confirm')).toContainText('case_b.nii.gz')
    await page.getByTestId('close-confirm-cancel').click()
    await expect(page.getByTestId('case-row')).toHaveCount(2)
    await page.getByTestId('case-close').nth(1).click()
    await page.getByTestId('close-confirm-ok').click()
    await expect(page.getByTestId('case-row')).toHaveText(['case_a.nii.gz×'])

    // A file that is no image: refused before the open case is put at stake (no question, nothing
    // sent); the message names it in plain words, above the images, not over them.
    const text = Buffer.from('not an image '.repeat(60))
    await page.getByTestId('file-input').setInputFiles({ name: 'case.txt', mimeType: 'text/plain', buffer: text })
    await expect(page.getByTestId('error-text')).toHaveText(
      'case.txt is a text file; drop a NIfTI (.nii/.nii.gz), NRRD, MHA or a DICOM series (folder or .zip)')
    await expect(page.getByTestId('replace-confirm')).toHaveCount(0)
    const error = (await page.getByTestId('error-message').boundingBox())!
    const canvas = (await page.locator('[data-testid=viewer] canvas').boundingBox())!
    expect(error.y + error.height, 'the error ends above the images').toBeLessThanOrEqual(canvas.y + 0.5)
    expect((await session(page)).volumeId).toBe(a)
    await expect(page.getByTestId('case-row')).toHaveCount(1)

    // The file names never left the browser: each upload is a real multipart body holding the
    // file's bytes under the app's generic part name (src/api/client.ts: part0), never the name.
    expect(uploads).toHaveLength(2)
    const sent: [Buffer, Buffer, string][] = [[uploads[0], fileA, 'case_a'], [uploads[1], fileB, 'case_b']]
    for (const [body, file, name] of sent) {
      expect(body.length, `the upload of ${name} has a body`).toBeGreaterThan(file.length)
      expect(body.includes(file), `the upload of ${name} holds its bytes`).toBe(true)
      expect(body.includes('name="file"; filename="part0"'), `the upload of ${name} uses the generic part name`).toBe(true)
      for (const local of ['case_a', 'case_b', 'case.txt', '.nii']) {
        expect(body.includes(local), `"${local}" in the upload of ${name}`).toBe(false)
      }
    }
  })

test("opening another case: the last case's picture never shows under the new case's name, in a 2D view or the 3D one", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  await page.getByTestId('file-input').setInputFiles({ name: 'case_a.nii.gz', mimeType: 'application/gzip', buffer: caseA() })
  const current = () => session(page).then((s) => s.volumeId)
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', await current(), { timeout: 60_000 })
  const canvas = page.locator('[data-testid=viewer] canvas')
  await expect(canvas).not.toHaveAttribute('data-shown3d', '', { timeout: 30_000 }) // case A's 3D view drawn
  const pictureOfA = await canvas.getAttribute('data-shown3d')
  // From here on, at each frame: the image open, and the image whose 3D picture is shown.
  await canvas.evaluate((c: HTMLCanvasElement) => {
    const seen: [string, string][] = []
    ;(window as unknown as { shown3d: [string, string][] }).shown3d = seen
    new MutationObserver(() => { seen.push([c.dataset.image3d ?? '', c.dataset.shown3d ?? '']) })
      .observe(c, { attributeFilter: ['data-shown3d', 'data-image3d'] })
  })
  // The next volume (as large as case A, so its 3D view is seen from the same place) is held on its
  // way, so the page stays between the two cases.
  let release = () => {}
  const held = new Promise<void>((resolve) => { release = resolve })
  await page.route('**/api/volumes/*/image', async (route) => { await held; await route.continue() })
  await dropFiles(page, 'canvas', [{ name: 'case_b.nii.gz', buffer: makeVolumeFrom([64, 64, 32], [1, 1, 2], () => 300) }])
  await page.getByTestId('replace-confirm-ok').click()
  await expect(page.getByTestId('volume-loading')).toBeVisible()
  const shot = decodePng(await page.getByTestId('viewer').screenshot())
  // Only the background and the loading sign's text: no slice of case A (black air, the grey square).
  let other = 0
  for (let p = 0; p < shot.width * shot.height; p++) {
    const [r, g, b] = [shot.data[p * 4], shot.data[p * 4 + 1], shot.data[p * 4 + 2]]
    if (Math.abs(r - 13) + Math.abs(g - 15) + Math.abs(b - 20) > 6) other++
  }
  expect(other / (shot.width * shot.height), 'share of the viewer not the plain background').toBeLessThan(0.02)
  release()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', await current(), { timeout: 60_000 })
  await expect(canvas).not.toHaveAttribute('data-shown3d', '', { timeout: 30_000 }) // case B's 3D view drawn
  const seen = await page.evaluate(() => (window as unknown as { shown3d: [string, string][] }).shown3d)
  expect(seen.filter(([open]) => open !== pictureOfA).length, 'frames of case B were drawn').toBeGreaterThan(0)
  expect(seen.filter(([open, shown]) => shown !== '' && shown !== open), "a 3D view of another image than the one open").toEqual([])
})
