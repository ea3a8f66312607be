import { expect, test } from '@playwright/test'
import { session } from './helpers'
import { makeVolumeFrom } from './nifti'

const volumeA = () => makeVolumeFrom([32, 32, 16], [1, 1, 2], (x) => (x < 16 ? 100 : -500))
const volumeB = () => makeVolumeFrom([24, 24, 12], [1, 1, 2], () => 300)

test('the same file opened again reopens its case: no second upload, no second case', async ({ page }) => {
  let uploads = 0
  await page.route('**/api/volumes', async (route) => {
    if (route.request().method() === 'POST') uploads++
    await route.continue()
  })
  await page.goto('/')
  const input = page.getByTestId('file-input')
  await input.setInputFiles({ name: 'a.nii.gz', mimeType: 'application/gzip', buffer: volumeA() })
  await expect(page.getByTestId('volume-info')).toHaveText(/32×32×16/)
  const a = (await session(page)).volumeId

  // The same bytes under another name, while that case is open: it stays the one case.
  await input.setInputFiles({ name: 'copy of a.nii.gz', mimeType: 'application/gzip', buffer: volumeA() })
  await expect(page.getByTestId('error-text')).toHaveText('copy of a.nii.gz is already open as “a.nii.gz”: switched to it.')
  await expect(page.getByTestId('case-row')).toHaveCount(1)
  expect(uploads).toBe(1)

  // Another file asks and opens; the first file again goes straight back to its case (no question).
  await input.setInputFiles({ name: 'b.nii.gz', mimeType: 'application/gzip', buffer: volumeB() })
  await page.getByTestId('replace-confirm-ok').click()
  await expect(page.getByTestId('volume-info')).toHaveText(/24×24×12/)
  await expect(page.getByTestId('case-row')).toHaveCount(2)
  await input.setInputFiles({ name: 'a.nii.gz', mimeType: 'application/gzip', buffer: volumeA() })
  await expect(page.getByTestId('replace-confirm')).toHaveCount(0)
  await expect(page.getByTestId('volume-info')).toHaveText(/32×32×16/)
  expect((await session(page)).volumeId).toBe(a)
  await expect(page.getByTestId('case-row')).toHaveCount(2)
  expect(uploads).toBe(2)

  // After a reload (the cases list from sessionStorage) it is still recognised.
  await page.reload()
  await expect(page.getByTestId('case-row')).toHaveCount(2)
  await input.setInputFiles({ name: 'b again.nii.gz', mimeType: 'application/gzip', buffer: volumeB() })
  await expect(page.getByTestId('error-text')).toContainText('already open as “b.nii.gz”')
  await expect(page.getByTestId('case-row')).toHaveCount(2)
  expect(uploads).toBe(2)
})
