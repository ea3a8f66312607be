import { expect, test } from '@playwright/test'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { makeVolume, readMask } from './nifti'

test('upload, segment two prompts, review, download and reload', async ({ page, request }) => {
  await page.goto('/')
  await expect(page.getByTestId('demo-banner')).toHaveText(/DEMO MODEL/)

  // Large enough for many sliding windows, so progress is visible: 160x140x120 -> 4 x 4 x 3 windows of 64³.
  const volume = makeVolume([160, 140, 120], [1.2, 1.0, 1.5])
  await page.getByTestId('file-input').setInputFiles({ name: 'ct.nii.gz', mimeType: 'application/gzip', buffer: volume })
  await expect(page.getByTestId('volume-info')).toHaveText(/160×140×120/)

  await page.getByTestId('prompt-input').fill('liv')
  await expect(page.getByTestId('prompt-suggestions')).toContainText('liver')
  // Pick "liver" with the keyboard: arrow down to it, Enter makes it a chip.
  const names = await page.getByTestId('prompt-suggestion').allTextContents()
  expect(names).toContain('liver')
  for (let i = 0; i <= names.indexOf('liver'); i++) await page.getByTestId('prompt-input').press('ArrowDown')
  await page.getByTestId('prompt-input').press('Enter')
  await expect(page.getByTestId('prompt-chips')).toHaveText(/liver/)
  await page.getByTestId('prompt-input').fill('left kidney')
  await page.getByTestId('prompt-input').press('Enter')
  await expect(page.getByTestId('prompt-chips')).toContainText('left kidney')
  await page.getByTestId('run-button').click()

  // Watch the progress bar move: collect the windows-done counts it shows.
  const seen = new Set<number>()
  const bar = page.getByTestId('job-progress')
  await expect(bar).toBeVisible()
  // Time-bounded, not iteration-bounded: on a busy CI machine the demo job can take minutes.
  const deadline = Date.now() + 240_000
  // One snapshot per poll, read in the page: a locator call could wait forever for a bar that
  // vanished between two calls (the job finished in between).
  const readBar = () => page.evaluate(() => {
    const el = document.querySelector('[data-testid=job-progress]')
    return el ? { done: Number(el.getAttribute('data-done')), total: Number(el.getAttribute('data-total')) } : null
  })
  for (let snap = await readBar(); snap && Date.now() < deadline; snap = await readBar()) {
    if (snap.total > 0) {
      expect(snap.total).toBe(48)
      seen.add(snap.done)
    }
    await page.waitForTimeout(25)
  }
  expect([...seen].filter((d) => d > 0 && d < 48).length, `progress values seen: ${[...seen]}`).toBeGreaterThanOrEqual(2)

  const rows = page.getByTestId('result-row')
  await expect(rows).toHaveCount(2, { timeout: 30_000 })
  await expect(rows.nth(0)).toHaveAttribute('data-name', 'liver')
  await expect(rows.nth(1)).toHaveAttribute('data-name', 'left kidney')
  await expect(rows.nth(0).getByTestId('result-stats')).toHaveText(/(mL|mm³|L) · [\d,]+ vox/)
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })

  // Toggle the second mask off.
  await rows.nth(1).getByTestId('result-visible').uncheck()
  await expect(rows.nth(1).getByTestId('result-visible')).not.toBeChecked()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '1')

  // Rename the first mask (double-click, type, Enter); the name survives the reload below.
  await rows.nth(0).getByTestId('result-name').dblclick()
  await page.getByTestId('result-rename-input').fill('liver (checked)')
  await page.getByTestId('result-rename-input').press('Enter')
  await expect(rows.nth(0)).toHaveAttribute('data-name', 'liver (checked)')

  // Download the first mask and compare its voxels with the server's copy.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    rows.nth(0).getByTestId('result-download').click(),
  ])
  const downloaded = readMask(await readFile(await download.path()))
  const session = await page.evaluate(() => JSON.parse(localStorage.getItem('voxtell-web-session') ?? '{}'))
  const jobId: string = session.jobIds[0]
  const job = await (await request.get(`/api/jobs/${jobId}`)).json()
  const fromServer = readMask(Buffer.from(await (await request.get(`/api/jobs/${jobId}/masks/0.nii.gz`)).body()))
  expect(downloaded.dims).toEqual([160, 140, 120])
  expect(Buffer.from(downloaded.voxels.buffer).equals(Buffer.from(fromServer.voxels.buffer))).toBe(true)
  const ones = Array.from(downloaded.voxels as ArrayLike<number>).filter((v) => v > 0).length
  expect(ones).toBe(job.results[0].voxels)
  const stats = await rows.nth(0).getByTestId('result-stats').textContent()
  expect(stats?.replace(/,/g, '')).toContain(`${job.results[0].voxels} vox`)

  // The zip of all masks and the combined label map come from the server too.
  const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').first().click()])
  const zipBytes = await readFile(await zip.path())
  expect(zipBytes.subarray(0, 2).toString('latin1')).toBe('PK')
  const [labelmap] = await Promise.all([page.waitForEvent('download'),
    page.getByTestId('download-labelmap').first().click()])
  const labels = readMask(await readFile(await labelmap.path()))
  expect(labels.dims).toEqual([160, 140, 120])
  expect(Math.max(...new Set(Array.from(labels.voxels as ArrayLike<number>)))).toBeLessThanOrEqual(2)

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
  }
  await drawNewMask([120], false)
  await expect(page.getByTestId('result-row')).toHaveCount(3)
  await drawNewMask([120, 60], true) // the big disc is undone, only the small one stays
  await expect(page.getByTestId('result-row')).toHaveCount(4)
  const drawn = page.getByTestId('result-row').nth(3)
  await expect(drawn).toHaveAttribute('data-name', 'new mask')
  const edited = await (await request.get(`/api/jobs/${jobId}`)).json()
  const [big, small] = edited.results.slice(-2)
  expect(big.source).toBe('edited')
  expect(small.source).toBe('edited')
  expect(small.voxels).toBeGreaterThan(20)
  // Filled discs on one slice: area ratio (120/60)² = 4, so the undone big disc must be gone.
  expect(small.voxels).toBeLessThan(big.voxels / 2)
  await expect(drawn.getByTestId('result-stats')).toContainText(`${small.voxels.toLocaleString('en-US')} vox`)

  // Reload: the session's volume and results come back from the server (names, visibility and
  // opacity from localStorage). The demo model's random mask is made faint for the README picture.
  await page.getByTestId('result-row').nth(0).getByTestId('result-opacity').fill('0.2')
  await page.reload()
  await expect(page.getByTestId('volume-info')).toHaveText(/160×140×120/)
  await expect(page.getByTestId('result-row')).toHaveCount(4)
  await expect(page.getByTestId('result-row').nth(1).getByTestId('result-visible')).not.toBeChecked()
  await expect(page.getByTestId('result-row').nth(0)).toHaveAttribute('data-name', 'liver (checked)')
  await expect(page.getByTestId('result-row').nth(0).getByTestId('result-opacity')).toHaveValue('0.2')
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '3')

  // Deleting a row removes its overlay from the viewer too, and the other rows keep their colours.
  const swatches = async () => page.getByTestId('result-row').locator('.swatch')
    .evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor))
  const before = await swatches()
  const deletedIndex = Number(await page.getByTestId('result-row').nth(2).getAttribute('data-index'))
  await page.getByTestId('result-row').nth(2).getByTestId('result-delete').click()
  await expect(page.getByTestId('result-row')).toHaveCount(3)
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '2')
  expect(await swatches()).toEqual([before[0], before[1], before[3]])
  // Deleted on the server: gone from the job's results and its downloads.
  const after = await (await request.get(`/api/jobs/${jobId}`)).json()
  expect(after.results.map((r: { index: number }) => r.index)).not.toContain(deletedIndex)
  expect(after.results).toHaveLength(3)
  expect((await request.get(`/api/jobs/${jobId}/masks/${deletedIndex}.nii.gz`)).status()).toBe(404)
  await page.reload()
  await expect(page.getByTestId('result-row')).toHaveCount(3)
  expect(await swatches()).toEqual([before[0], before[1], before[3]])
  // For the README picture: centred on the hand-drawn mask.
  await page.getByTestId('result-row').nth(2).getByTestId('result-goto').click()
  await expect(page.getByTestId('cursor-readout')).toHaveText(/mm · /)
  await page.waitForTimeout(500)
  await page.screenshot({ path: resolve('..', 'docs', 'screenshot.png') })
})

test('bad upload shows the server message in the page', async ({ page }) => {
  await page.goto('/')
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.nii.gz', mimeType: 'text/plain',
    buffer: Buffer.from('this is not an image '.repeat(40)) })
  await expect(page.getByTestId('error-message')).toContainText('not a NIfTI')
})

test('views, window presets, crosshair readout and cancel', async ({ page }) => {
  await page.goto('/')
  await page.getByTestId('file-input').setInputFiles({ name: 'ct.nii.gz', mimeType: 'application/gzip',
    buffer: makeVolume([160, 140, 120], [1.2, 1.0, 1.5]) })
  await expect(page.getByTestId('volume-info')).toHaveText(/160×140×120/)
  for (const view of ['axial', 'coronal', 'sagittal', 'render', 'multiplanar']) {
    await page.getByTestId(`view-${view}`).click()
    await expect(page.getByTestId(`view-${view}`)).toHaveClass(/active/)
  }
  await page.getByTestId('view-axial').click()
  await page.getByTestId('window-preset').selectOption('bone')
  await page.getByTestId('window-level').fill('40')
  await page.getByTestId('window-width').fill('400')
  await page.getByTestId('window-width').press('Enter')
  const box = (await page.locator('[data-testid=viewer] canvas').boundingBox())!
  await page.mouse.click(box.x + box.width / 2 + 30, box.y + box.height / 2 - 20)
  await expect(page.getByTestId('cursor-readout')).toHaveText(/-?\d+\.\d, -?\d+\.\d, -?\d+\.\d mm · -?\d+/)

  await page.getByTestId('prompt-input').fill('aorta')
  await page.getByTestId('prompt-input').press('Enter')
  await page.getByTestId('run-button').click()
  await expect(page.getByTestId('job-progress')).toBeVisible()
  await page.getByTestId('cancel-button').click()
  await expect(page.getByTestId('job-row')).toHaveCount(0, { timeout: 30_000 })
  await expect(page.getByTestId('result-row')).toHaveCount(0)
})

test('DICOM zip with two series: pick one, segment, export SEG and RTSTRUCT', async ({ page }) => {
  const { execFileSync } = await import('node:child_process')
  const { mkdtempSync, readFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(resolve(tmpdir(), 'voxtell-dicom-'))
  const python = resolve(process.env.VOXTELL_PYTHON ?? '../.venv/bin/python')
  const script = `
import sys, zipfile, numpy as np
from pathlib import Path
sys.path.insert(0, '.')
from tests.dicom.series import write_series
out = Path(sys.argv[1])
files = []
for name, slices in (('arterial', 12), ('venous', 8)):
    data = np.random.default_rng(slices).integers(-200, 800, (48, 40, slices)).astype(np.int16)
    f, _ = write_series(out / name, data, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), (0.8, 0.8, 2.5),
                        np.array([-20.0, 10.0, 0.0]), description=name)
    files += f
with zipfile.ZipFile(out / 'study.zip', 'w') as zf:
    for p in files:
        zf.write(p, p.parent.name + '/' + p.name)
`
  execFileSync(python, ['-c', script, dir], { cwd: resolve('..') })
  await page.goto('/')
  await page.getByTestId('file-input').setInputFiles({ name: 'study.zip', mimeType: 'application/zip',
    buffer: readFileSync(resolve(dir, 'study.zip')) })
  const options = page.getByTestId('series-option')
  await expect(options).toHaveCount(2)
  await expect(options.nth(0)).toContainText('arterial')
  await options.nth(1).click() // venous: 8 slices
  await expect(page.getByTestId('volume-info')).toHaveText(/48×40×8/)
  await expect(page.getByTestId('series-picker')).toHaveCount(0)
  await page.getByTestId('prompt-input').fill('aorta')
  await page.getByTestId('prompt-input').press('Enter')
  await page.getByTestId('run-button').click()
  await expect(page.getByTestId('result-row')).toHaveCount(1, { timeout: 60_000 })
  for (const [button, modality] of [['download-seg', 'SEG'], ['download-rtstruct', 'RTSTRUCT']] as const) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(button).click()])
    const bytes = readFileSync(await download.path())
    expect(bytes.subarray(128, 132).toString('latin1')).toBe('DICM')
    const check = `import pydicom, sys; print(pydicom.dcmread(sys.argv[1]).Modality)`
    expect(execFileSync(python, ['-c', check, await download.path()]).toString().trim()).toBe(modality)
  }
})

test('a key-protected server: the app asks for the key, then a dropped file uploads', async ({ page, request }) => {
  const keyed = `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 1}`
  expect((await request.get(`${keyed}/api/info`)).status()).toBe(401)
  await page.goto(`${keyed}/`)
  await expect(page.getByTestId('api-key-input')).toBeVisible()
  await expect(page.getByTestId('error-message')).toContainText('missing or wrong API key')
  await page.getByTestId('api-key-input').fill('not-the-key')
  await page.getByTestId('api-key-save').click()
  await expect(page.getByTestId('api-key-input')).toBeVisible()
  await expect(page.getByTestId('error-message')).toContainText('missing or wrong API key')
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
  const session = await page.evaluate(() => JSON.parse(localStorage.getItem('voxtell-web-session') ?? '{}'))
  const path = `${keyed}/api/volumes/${session.volumeId}`
  expect((await request.get(path)).status()).toBe(401)
  const stored = await request.get(path, { headers: { Authorization: 'Bearer e2e-secret-key' } })
  expect(stored.status()).toBe(200)
  expect((await stored.json()).shape).toEqual([40, 36, 30])
})
