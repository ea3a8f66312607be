import { expect, test } from '@playwright/test'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { unzipSync } from 'fflate'
import { changedPixels, blend, canvasImage, countNonZero, job, near, recordAttribute, recorded, rgbOf,
  serverMask, session, settledCanvas, swatchColor, type Rgb } from './helpers'
import { holdJobs, releaseJobs } from './hold'
import { makeVolume, readMask } from './nifti'

test.afterEach(releaseJobs)

test('upload, segment two prompts, review, download and reload', async ({ page, request }, testInfo) => {
  await page.setViewportSize({ width: 1600, height: 900 }) // the README picture's size
  await page.goto('/')
  await expect(page.getByTestId('demo-banner')).toHaveText(/DEMO MODEL/)

  // Many sliding windows, so a job has parts: 160x140x120 -> 4 x 4 x 3 windows of 64³.
  const volume = makeVolume([160, 140, 120], [1.2, 1.0, 1.5])
  // Upload progress on a slow link (the upload throttled to about three seconds): the bar shows
  // intermediate fractions and goes away when the volume is stored.
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1,
    uploadThroughput: Math.ceil(volume.length / 3) })
  await recordAttribute(page, 'upload', 'upload-progress', ['value'])
  await page.getByTestId('file-input').setInputFiles({ name: 'ct.nii.gz', mimeType: 'application/gzip', buffer: volume })
  await expect(page.getByTestId('volume-info')).toHaveText(/160×140×120/, { timeout: 60_000 })
  await expect(page.getByTestId('upload-progress')).toHaveCount(0)
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
  const uploadFractions = (await recorded(page, 'upload')).map(([v]) => Number(v))
  expect(uploadFractions.filter((f) => f > 0 && f < 1).length, `upload progress shown: ${uploadFractions}`)
    .toBeGreaterThanOrEqual(2)
  expect(uploadFractions, 'upload progress never goes back').toEqual([...uploadFractions].sort((a, b) => a - b))

  await page.getByTestId('prompt-input').fill('liv')
  await expect(page.getByTestId('prompt-suggestions')).toContainText('liver')
  // Pick "liver" with the keyboard: arrow down to it, Enter makes it a chip.
  const names = await page.getByTestId('prompt-suggestion').allTextContents()
  expect(names).toContain('liver')
  for (let i = 0; i <= names.indexOf('liver'); i++) await page.getByTestId('prompt-input').press('ArrowDown')
  await page.getByTestId('prompt-input').press('Enter')
  await expect(page.getByTestId('prompt-chips')).toHaveText(/liver/)
  for (const prompt of ['spleen', 'left kidney']) {
    await page.getByTestId('prompt-input').fill(prompt)
    await page.getByTestId('prompt-input').press('Enter')
  }
  await expect(page.getByTestId('prompt-chip')).toHaveText(['liver×', 'spleen×', 'left kidney×'])
  // Remove the "spleen" chip: it must not be segmented.
  await page.getByTestId('prompt-chip').filter({ hasText: 'spleen' }).getByTestId('chip-remove').click()
  await expect(page.getByTestId('prompt-chip')).toHaveText(['liver×', 'left kidney×'])

  // Every value the progress bar takes is recorded by a MutationObserver (events, no sampling).
  await recordAttribute(page, 'progress', 'job-progress', ['data-done', 'data-total'])
  // The job is held after its second window, then after its fifth (however fast the machine): the
  // bar must show it part-way through, twice, before it finishes.
  holdJobs(2)
  await page.getByTestId('run-button').click()
  await expect(page.getByTestId('prompt-chip')).toHaveCount(0)
  await expect(page.getByTestId('job-row')).toContainText('liver, left kidney')
  await expect(page.getByTestId('job-status')).toHaveText('segmenting: part 3 of 48', { timeout: 240_000 })
  await expect(page.getByTestId('job-progress')).toHaveAttribute('data-done', '2')
  expect(await page.getByTestId('job-progress').evaluate((e) => (e as HTMLProgressElement).value)).toBeCloseTo(2 / 48, 5)
  holdJobs(5)
  await expect(page.getByTestId('job-status')).toHaveText('segmenting: part 6 of 48', { timeout: 60_000 })
  await expect(page.getByTestId('job-progress')).toHaveAttribute('data-done', '5')
  releaseJobs()
  const rows = page.getByTestId('result-row')
  await expect(rows).toHaveCount(2, { timeout: 240_000 })
  await expect(page.getByTestId('job-row')).toHaveCount(0)
  const progress = (await recorded(page, 'progress')).map(([done, total]) => [Number(done), Number(total)])
  const running = progress.filter(([, total]) => total > 0)
  expect(running.every(([, total]) => total === 48), `totals shown: ${running.map(([, t]) => t)}`).toBe(true)
  const doneShown = running.map(([done]) => done)
  expect(doneShown, 'progress never goes back').toEqual([...doneShown].sort((a, b) => a - b))
  expect(doneShown, 'the held parts were shown').toEqual(expect.arrayContaining([2, 5]))
  expect(new Set(doneShown.filter((d) => d > 0 && d < 48)).size, `progress values shown: ${doneShown}`)
    .toBeGreaterThanOrEqual(2)

  const session0 = await session(page)
  const jobId = session0.jobIds[0]
  const job0 = await job(request, jobId)
  expect(job0.prompts).toEqual(['liver', 'left kidney'])
  await expect(rows.nth(0)).toHaveAttribute('data-name', 'liver')
  await expect(rows.nth(1)).toHaveAttribute('data-name', 'left kidney')
  await expect(rows.nth(0).getByTestId('result-stats')).toHaveText(/(mL|mm³|L) · [\d,]+ vox/)
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })

  // Visibility, on the canvas: with both masks hidden the picture has no overlay; showing the liver
  // tints pixels with the liver's colour at the default opacity 0.5; hiding it again restores the
  // picture exactly.
  const liverColor = await swatchColor(page, 0)
  const kidneyColor = await swatchColor(page, 1)
  await rows.nth(0).getByTestId('result-goto').click() // slices through the liver mask
  const withBoth = await settledCanvas(page)
  for (const i of [0, 1]) await rows.nth(i).getByTestId('result-visible').uncheck()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '0')
  const bare = await settledCanvas(page)
  const tinted = (image: typeof bare, color: Rgb) => changedPixels(bare, image)
    .filter((p) => near(rgbOf(image, p), blend(rgbOf(bare, p), color, 0.5), 2)).length
  expect(changedPixels(bare, withBoth).length, 'hiding both masks changes the picture').toBeGreaterThan(500)
  await rows.nth(0).getByTestId('result-visible').check()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '1', { timeout: 60_000 })
  await expect.poll(async () => tinted(await canvasImage(page), liverColor), { message: 'liver overlay pixels' })
    .toBeGreaterThan(500)
  const liverOnly = await settledCanvas(page)
  expect(tinted(liverOnly, kidneyColor), 'no kidney-coloured pixels while the kidney is hidden').toBeLessThan(50)
  await rows.nth(0).getByTestId('result-visible').uncheck()
  await expect.poll(async () => changedPixels(bare, await canvasImage(page)).length,
    { message: 'pixels still differing from the picture without overlays' }).toBe(0)
  // Back to the review state: liver shown, kidney hidden.
  await rows.nth(0).getByTestId('result-visible').check()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '1', { timeout: 60_000 })
  await expect.poll(async () => changedPixels(liverOnly, await canvasImage(page)).length).toBe(0)
  await expect(rows.nth(1).getByTestId('result-visible')).not.toBeChecked()

  // Rename the first mask (double-click, type, Enter): stored on the server, so every export and
  // the reload below keep it.
  await rows.nth(0).getByTestId('result-name').dblclick()
  await page.getByTestId('result-rename-input').fill('liver (checked)')
  await page.getByTestId('result-rename-input').press('Enter')
  await expect(rows.nth(0)).toHaveAttribute('data-name', 'liver (checked)')
  expect((await job(request, jobId)).results[0].name).toBe('liver (checked)')

  // Download the first mask and compare its voxels with the server's copy.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    rows.nth(0).getByTestId('result-download').click(),
  ])
  expect(download.suggestedFilename(), 'named <case>_<mask>').toBe('ct_liver_checked.nii.gz')
  const downloaded = readMask(await readFile(await download.path()))
  const masks = await Promise.all(job0.results.map((r) => serverMask(request, jobId, r.index)))
  expect(downloaded.dims).toEqual([160, 140, 120])
  expect(Buffer.from(downloaded.voxels.buffer).equals(Buffer.from(masks[0].voxels.buffer))).toBe(true)
  expect(countNonZero(downloaded.voxels)).toBe(job0.results[0].voxels)
  const stats = await rows.nth(0).getByTestId('result-stats').textContent()
  expect(stats?.replace(/,/g, '')).toContain(`${job0.results[0].voxels} vox`)
  for (const r of job0.results) expect(r.voxels, `mask ${r.name} is not empty`).toBeGreaterThan(0)

  // The zip of all masks: one member per mask, named as shown, plus the label lists, each mask
  // equal to the server's.
  const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').first().click()])
  expect(zip.suggestedFilename()).toMatch(/^ct_\d{8}-\d{4}_masks\.zip$/)
  const members = unzipSync(new Uint8Array(await readFile(await zip.path())))
  expect(Object.keys(members).sort()).toEqual(['labels.json', 'labels.txt', 'left_kidney.nii.gz', 'liver_checked.nii.gz'])
  const labelsJson = await (await request.get(`/api/jobs/${jobId}/labels.json`)).json()
  // The case's file holds every mask of the case, so each entry also names the job it came from.
  expect(JSON.parse(Buffer.from(members['labels.json']).toString('utf8')))
    .toEqual(labelsJson.map((l: Record<string, unknown>) => ({ ...l, job: jobId })))
  expect(labelsJson.map((l: { value: number; name: string; index: number }) => [l.value, l.name, l.index]))
    .toEqual([[1, 'liver (checked)', 0], [2, 'left kidney', 1]])
  for (const [i, member] of ['liver_checked.nii.gz', 'left_kidney.nii.gz'].entries()) {
    const inZip = readMask(Buffer.from(members[member]))
    expect(inZip.dims).toEqual([160, 140, 120])
    expect(countNonZero(inZip.voxels), member).toBe(job0.results[i].voxels)
    expect(Buffer.from(inZip.voxels.buffer).equals(Buffer.from(masks[i].voxels.buffer)), member).toBe(true)
  }

  // The label map: label i+1 exactly where mask i is set, the later prompt winning on overlap.
  const [labelmap] = await Promise.all([page.waitForEvent('download'),
    page.getByTestId('download-labelmap').first().click()])
  expect(labelmap.suggestedFilename()).toMatch(/^ct_\d{8}-\d{4}_labels\.nii\.gz$/)
  const labels = readMask(await readFile(await labelmap.path()))
  expect(labels.dims).toEqual([160, 140, 120])
  const expected = new Uint8Array(labels.voxels.length)
  masks.forEach((m, i) => m.voxels.forEach((v, p) => { if (v) expected[p] = i + 1 }))
  const mismatches = expected.filter((v, p) => v !== labels.voxels[p]).length
  expect(mismatches, 'label-map voxels differing from the server masks').toBe(0)
  const perLabel = [1, 2].map((l) => labels.voxels.filter((v) => v === l).length)
  expect(perLabel[1]).toBe(job0.results[1].voxels) // the last prompt keeps all its voxels
  expect(perLabel[0]).toBeGreaterThan(0)

  // Draw a new mask with the filled pen (a closed loop in the axial view), undo-able, and save it.
  await page.getByTestId('view-axial').click()
  const box = (await page.locator('[data-testid=viewer] canvas').boundingBox())!
  const cx = box.x + box.width / 2
  const cy = box.y + box.height / 2
  const loop = async (r: number) => {
    await page.mouse.move(cx + r, cy)
    await page.mouse.down()
    for (let a = 0; a <= 360; a += 15) {
      await page.mouse.move(cx + r * Math.cos((a * Math.PI) / 180), cy + r * Math.sin((a * Math.PI) / 180))
    }
    await page.mouse.up()
  }
  const drawNewMask = async (radii: number[], undoFirst: boolean) => {
    await page.getByTestId('draw-target').selectOption('new')
    await page.getByTestId('draw-start').click()
    await page.getByTestId('draw-filled').click()
    for (const [i, r] of radii.entries()) {
      await loop(r)
      if (i === 0 && undoFirst) await page.getByTestId('draw-undo').click()
    }
    await page.getByTestId('draw-save').click()
    await expect(page.getByTestId('save-name-input')).toHaveValue('new mask')
    await page.getByTestId('save-name-ok').click()
  }
  await drawNewMask([120], false)
  await expect(page.getByTestId('result-row')).toHaveCount(3)
  await drawNewMask([120, 60], true) // the big disc is undone, only the small one stays
  await expect(page.getByTestId('result-row')).toHaveCount(4)
  const drawn = page.getByTestId('result-row').nth(3)
  await expect(drawn).toHaveAttribute('data-name', 'new mask')
  const edited = await job(request, jobId)
  const [big, small] = edited.results.slice(-2)
  expect(big.source).toBe('edited')
  expect(small.source).toBe('edited')
  expect(small.voxels).toBeGreaterThan(20)
  // Filled discs on one slice: area ratio (120/60)² = 4, so the undone big disc must be gone.
  expect(small.voxels).toBeLessThan(big.voxels / 2)
  await expect(drawn.getByTestId('result-stats')).toContainText(`${small.voxels.toLocaleString('en-US')} vox`)

  // Reload: the case's volume and results come back from the server (names too; visibility and
  // opacity from the tab's sessionStorage). The demo model's random mask is made faint for the README picture.
  await page.getByTestId('result-row').nth(0).getByTestId('result-opacity').fill('0.2')
  await expect(page.getByTestId('result-row').nth(0).getByTestId('result-opacity')).toHaveValue('0.2')
  await page.reload()
  await expect(page.getByTestId('volume-info')).toHaveText(/160×140×120/)
  await expect(page.getByTestId('result-row')).toHaveCount(4)
  await expect(page.getByTestId('result-row').nth(1).getByTestId('result-visible')).not.toBeChecked()
  await expect(page.getByTestId('result-row').nth(0)).toHaveAttribute('data-name', 'liver (checked)')
  await expect(page.getByTestId('result-row').nth(0).getByTestId('result-opacity')).toHaveValue('0.2')
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '3')

  // Deleting a row removes its overlay from the viewer too, and the other rows keep their colours.
  const swatches = async () => Promise.all([0, 1, 2, 3].slice(0, await page.getByTestId('result-row').count())
    .map((i) => swatchColor(page, i)))
  const before = await swatches()
  const deletedIndex = Number(await page.getByTestId('result-row').nth(2).getAttribute('data-index'))
  // On the canvas: the picture without the first drawn disc (radius 120) is taken with the disc
  // hidden; shown again it tints the picture; deleted, the picture is exactly the one without it.
  await page.getByTestId('view-axial').click()
  await page.getByTestId('result-row').nth(2).getByTestId('result-goto').click()
  const withDisc = await settledCanvas(page)
  await page.getByTestId('result-row').nth(2).getByTestId('result-visible').uncheck()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '2')
  await expect.poll(async () => changedPixels(withDisc, await canvasImage(page)).length).toBeGreaterThan(1000)
  const withoutDisc = await settledCanvas(page)
  await page.getByTestId('result-row').nth(2).getByTestId('result-visible').check()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '3', { timeout: 60_000 })
  await expect.poll(async () => changedPixels(withoutDisc, await canvasImage(page)).length,
    { message: 'pixels tinted by the disc shown again' }).toBeGreaterThan(1000)
  await page.getByTestId('result-row').nth(2).getByTestId('result-delete').click()
  await page.getByTestId('delete-confirm-ok').click()
  await expect(page.getByTestId('result-row')).toHaveCount(3, { timeout: 30_000 })
  // Within one level of 255: the masks' colour table is read with the GPU's float precision, and a
  // deleted mask changes which table entry a voxel reads (a hidden one keeps its entry).
  await expect.poll(async () => changedPixels(withoutDisc, await canvasImage(page), 1).length,
    { message: 'pixels differing from the picture without the deleted disc' }).toBe(0)
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '2')
  expect(await swatches()).toEqual([before[0], before[1], before[3]])
  // Deleted on the server: gone from the job's results and its downloads.
  const after = await job(request, jobId)
  expect(after.results.map((r) => r.index)).not.toContain(deletedIndex)
  expect(after.results).toHaveLength(3)
  expect((await request.get(`/api/jobs/${jobId}/masks/${deletedIndex}.nii.gz`)).status()).toBe(404)
  const zipAfter = unzipSync(new Uint8Array(await (await request.get(`/api/jobs/${jobId}/masks.zip`)).body()))
  expect(Object.keys(zipAfter)).toHaveLength(5) // three masks, labels.json and labels.txt
  await page.reload()
  await expect(page.getByTestId('result-row')).toHaveCount(3)
  expect(await swatches()).toEqual([before[0], before[1], before[3]])

  // The README pictures: written to the test's output folder, or to VOXTELL_SCREENSHOT_DIR
  // (`make screenshots` points it at docs/); never into the checkout otherwise. First the
  // multiplanar view with the 3D surfaces, centred on the hand-drawn mask, at 1600×900.
  const dir = process.env.VOXTELL_SCREENSHOT_DIR
  const picture = (name: string) => (dir ? resolve(dir, name) : testInfo.outputPath(name))
  await page.getByTestId('view-multiplanar').click()
  await page.getByTestId('result-row').nth(2).getByTestId('result-goto').click()
  await expect(page.getByTestId('readout-mm')).toHaveText(/^-?\d+\.\d, /)
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '')
  await settledCanvas(page)
  await page.screenshot({ path: picture('screenshot.png') })
  // Then the smallest window the app is made for (1024×640), one axial view, masks outlined.
  await page.setViewportSize({ width: 1024, height: 640 })
  await page.getByTestId('view-axial').click()
  await page.getByTestId('outline-toggle').click()
  await expect(page.getByTestId('outline-toggle')).toHaveAttribute('data-value', 'outline')
  await settledCanvas(page)
  await page.screenshot({ path: picture('screenshot-1024-outline.png') })
})

test('a bad upload shows the server message in the page, and the message can be dismissed', async ({ page }) => {
  await page.goto('/')
  // Compressed, so it passes the app's own first-bytes check (src/lib/sniff.ts) and the server reads it.
  const bad = { name: 'notes.nii.gz', mimeType: 'application/gzip', buffer: gzipSync(Buffer.from('this is not an image '.repeat(40))) }
  await page.getByTestId('file-input').setInputFiles(bad)
  await expect(page.getByTestId('error-message')).toContainText('not a NIfTI')
  await expect(page.getByTestId('volume-info')).toHaveCount(0)
  await page.getByTestId('error-dismiss').click()
  await expect(page.getByTestId('error-message')).toHaveCount(0)
  // A second failure shows the message again (dismissing hides one message, not all of them).
  await page.getByTestId('file-input').setInputFiles(bad)
  await expect(page.getByTestId('error-message')).toContainText('not a NIfTI')
})

test('a key-protected server: the app asks for the key, then a dropped file uploads', async ({ page, request }) => {
  const keyed = `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 1}`
  expect((await request.get(`${keyed}/api/info`)).status()).toBe(401)
  await page.goto(`${keyed}/`)
  await expect(page.getByTestId('api-key-input')).toBeVisible()
  await expect(page.getByTestId('error-message')).toContainText('missing credentials')
  await page.getByTestId('api-key-input').fill('not-the-key')
  await page.getByTestId('api-key-save').click()
  await expect(page.getByTestId('api-key-input')).toBeVisible()
  await expect(page.getByTestId('error-message')).toContainText('wrong API key')
  await page.getByTestId('api-key-input').fill('e2e-secret-key')
  await page.getByTestId('api-key-save').click()
  await expect(page.getByTestId('model-info')).toBeVisible()
  await expect(page.getByTestId('api-key-input')).toHaveCount(0)

  // Drag and drop a volume onto the drop zone (a real DataTransfer holding a File).
  const dropped = await page.evaluateHandle((b64: string) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
    const transfer = new DataTransfer()
    transfer.items.add(new File([bytes], 'dropped.nii.gz', { type: 'application/gzip' }))
    return transfer
  }, makeVolume([40, 36, 30], [1.0, 1.0, 2.0]).toString('base64'))
  await page.getByTestId('dropzone').dispatchEvent('dragover', { dataTransfer: dropped })
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dropped })
  await expect(page.getByTestId('volume-info')).toHaveText(/40×36×30/)
  // The upload carried the key: the volume is on the keyed server, readable only with the key.
  const path = `${keyed}/api/volumes/${(await session(page)).volumeId}`
  expect((await request.get(path)).status()).toBe(401)
  const stored = await request.get(path, { headers: { Authorization: 'Bearer e2e-secret-key' } })
  expect(stored.status()).toBe(200)
  expect((await stored.json()).shape).toEqual([40, 36, 30])
})
