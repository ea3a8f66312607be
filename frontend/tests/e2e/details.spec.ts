import { expect, test } from '@playwright/test'
import { dropFiles, session } from './helpers'
import { makeVolumeFrom } from './nifti'

// Small defects a clinician notices (issue 27, point 7): each in what the user sees.

test('details: a file the app cannot open is refused before the open case is put at stake', async ({ page }) => {
  const uploads: string[] = []
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/volumes')) uploads.push(r.url())
  })
  await page.goto('/')
  await page.getByTestId('file-input').setInputFiles({ name: 'case.nii.gz', mimeType: 'application/gzip',
    buffer: makeVolumeFrom([32, 32, 8], [1, 1, 2], () => 100) })
  await expect(page.getByTestId('volume-info')).toHaveText(/32×32×8/)
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', /.+/)
  const { volumeId } = await session(page)
  expect(uploads).toHaveLength(1)
  const accepted = 'drop a NIfTI (.nii/.nii.gz), NRRD, MHA or a DICOM series (folder or .zip)'

  // Dropped on the images, then chosen with Open: no "replace the current case?" question, the
  // message says what the file is and what is accepted, nothing is sent, the case stays open.
  await dropFiles(page, 'canvas', [{ name: 'notes.txt', buffer: Buffer.from('findings: none\n'.repeat(30)), type: 'text/plain' }])
  await expect(page.getByTestId('error-text')).toHaveText(`notes.txt is a text file; ${accepted}`)
  await expect(page.getByTestId('replace-confirm')).toHaveCount(0)
  await page.getByTestId('file-input').setInputFiles({ name: 'scan.nii', mimeType: 'image/png',
    buffer: Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(400, 7)]) })
  await expect(page.getByTestId('error-text')).toHaveText(`scan.nii is a PNG picture; ${accepted}`)
  await expect(page.getByTestId('replace-confirm')).toHaveCount(0)
  expect(uploads, 'nothing was sent').toHaveLength(1)
  expect((await session(page)).volumeId).toBe(volumeId)
  await expect(page.getByTestId('case-row')).toHaveCount(1)
  await expect(page.getByTestId('volume-info')).toHaveText(/32×32×8/)

  // A real image still asks first.
  await page.getByTestId('file-input').setInputFiles({ name: 'other.nii.gz', mimeType: 'application/gzip',
    buffer: makeVolumeFrom([24, 24, 8], [1, 1, 2], () => 50) })
  await expect(page.getByTestId('replace-confirm')).toBeVisible()
  await expect(page.getByTestId('error-message')).toHaveCount(0)
})

test('details: prompt autocomplete says "no match" when nothing matches, and shows matches otherwise', async ({ page }) => {
  await page.goto('/')
  const input = page.getByTestId('prompt-input')
  await input.fill('qqxzy')
  await expect(page.getByTestId('prompt-no-match')).toHaveText('no match')
  await expect(page.getByTestId('prompt-suggestion')).toHaveCount(0)
  await input.fill('liv')
  await expect(page.getByTestId('prompt-suggestions')).toContainText('liver')
  await expect(page.getByTestId('prompt-no-match')).toHaveCount(0)
  await input.fill('')
  await expect(page.getByTestId('prompt-no-match')).toHaveCount(0)
  await expect(page.getByTestId('prompt-suggestion')).toHaveCount(0)
})

test('details: a file the server cannot read: the message names it and never shows an exception class name', async ({ page }) => {
  await page.goto('/')
  const whole = makeVolumeFrom([32, 32, 8], [1, 1, 2], () => 100)
  // A .nii.gz cut short: it starts as gzip (the app's check passes it), the server finds it truncated.
  await page.getByTestId('file-input').setInputFiles({ name: 'cut.nii.gz', mimeType: 'application/gzip',
    buffer: whole.subarray(0, Math.floor(whole.length / 2)) })
  await expect(page.getByTestId('error-text')).toHaveText(/^cut\.nii\.gz/)
  const text = await page.getByTestId('error-text').textContent()
  expect(text, 'no exception class name').not.toMatch(/\(\w*(Error|Exception)\)|\w+Error:|\w+Error\)/)
  await expect(page.getByTestId('volume-info')).toHaveCount(0)
})
