import { expect, test } from '@playwright/test'
import { canvasImage, changedPixels, settledCanvas, typeWindow } from './helpers'
import { makeVolume } from './nifti'

// The 2D views window as they draw; the 3D rendering uses NiiVue's baked colours, rebaked once the
// window settles while a 3D view is on screen, and when a 3D view comes back after a change.
test('the 3D view follows the window: when it comes on screen, and after a change made while it is shown', async ({ page }) => {
  await page.goto('/')
  await page.getByTestId('file-input').setInputFiles({ name: 'body.nii.gz', mimeType: 'application/gzip',
    buffer: makeVolume([48, 40, 32], [1, 1, 2]) })
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-live-window', 'on', { timeout: 30_000 })
  await page.getByTestId('view-render').click()
  await typeWindow(page, -600, 1200)
  await page.waitForTimeout(1500) // past the rebake's quiet time
  const first = await settledCanvas(page)

  // Changed in a 2D view, then back to 3D: the rendering is of the new window.
  await page.getByTestId('view-axial').click()
  await typeWindow(page, 60, 80)
  await page.waitForTimeout(1500) // no 3D view on screen when the quiet time ends: nothing rebaked then
  await page.getByTestId('view-render').click()
  const second = await settledCanvas(page)
  expect(changedPixels(first, second).length, 'the 3D view changed with the window').toBeGreaterThan(500)

  // Changed while the 3D view is shown: it comes back to exactly the first picture.
  await typeWindow(page, -600, 1200)
  await expect.poll(async () => changedPixels(first, await canvasImage(page)).length,
    { message: 'the 3D view shows the first window again', timeout: 15_000 }).toBe(0)
})
