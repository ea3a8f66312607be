import { expect, test } from '@playwright/test'
import { pixel, settledCanvas, typeWindow } from './helpers'
import { makeVolumeFrom } from './nifti'

// More slices than a WebGL 3D texture holds (2048 here): NiiVue keeps such a volume as 2D textures
// and draws it with its own 2D slice shader, which the live window must not replace.
test('a volume of 2100 slices is shown, windowed, in the axial view', async ({ page }) => {
  await page.goto('/')
  await page.getByTestId('file-input').setInputFiles({ name: 'tall.nii.gz', mimeType: 'application/gzip',
    buffer: makeVolumeFrom([16, 16, 2100], [1, 1, 0.5], (x, y) => (x * 16 + y) * 4) })
  await expect(page.getByTestId('volume-info')).toHaveText(/16×16×2100/, { timeout: 60_000 })
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
  await page.getByTestId('view-axial').click()
  await typeWindow(page, 510, 1020)
  // 256 intensities across the slice, windowed over their whole range: as many grays on screen.
  const image = await settledCanvas(page)
  const grays = new Set<number>()
  for (let y = 0; y < image.height; y += 2) {
    for (let x = 0; x < image.width; x += 2) {
      const [r, g, b] = pixel(image, x, y)
      if (r === g && g === b) grays.add(r)
    }
  }
  expect(grays.size, 'distinct grays on the canvas').toBeGreaterThan(100)
})
