import { expect, test } from '@playwright/test'
import { makeVolume } from './nifti'

const canvas = '[data-testid=viewer] canvas'

test('views at 1024×640: a scale bar and orientation letters on every 2D view, the orientation cube in 3D, nothing outside the window',
  async ({ page }) => {
    test.setTimeout(180_000)
    await page.setViewportSize({ width: 1024, height: 640 })
    await page.goto('/')
    await page.getByTestId('file-input').setInputFiles({ name: 'abdomen.nii.gz', mimeType: 'application/octet-stream',
      buffer: makeVolume([64, 56, 40], [1, 1, 2.5]) })
    await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
    await page.getByTestId('view-multiplanar').click()

    // Every 2D view of the multiplanar layout has its 10 cm bar and its letters (radiological by default:
    // the patient's right on screen left); the 3D tile its orientation cube.
    await expect(page.locator(canvas)).toHaveAttribute('data-scale-bars', 'axial,coronal,sagittal')
    await expect(page.locator(canvas)).toHaveAttribute('data-orientation', /axial:APRL/)
    await expect(page.locator(canvas)).toHaveAttribute('data-orientation', /coronal:SIRL/)
    await expect(page.locator(canvas)).toHaveAttribute('data-orientation', /sagittal:SI(PA|AP)/)
    await expect(page.locator(canvas)).toHaveAttribute('data-orient-cube', 'shown')
    await page.getByTestId('convention').click()
    await expect(page.getByTestId('convention')).toHaveAttribute('data-value', 'neurological')
    await expect(page.locator(canvas)).toHaveAttribute('data-orientation', /axial:APLR/)
    await expect(page.locator(canvas)).toHaveAttribute('data-scale-bars', 'axial,coronal,sagittal')
    for (const [view, bars] of [['axial', 'axial'], ['coronal', 'coronal'], ['sagittal', 'sagittal']]) {
      await page.getByTestId(`view-${view}`).click()
      await expect(page.locator(canvas)).toHaveAttribute('data-scale-bars', bars)
    }
    await page.getByTestId('view-render').click()
    await expect(page.locator(canvas)).toHaveAttribute('data-orient-cube', 'shown')
    await expect(page.locator(canvas)).toHaveAttribute('data-scale-bars', '')

    // Crosshair toggle: the button and NiiVue's crosshair follow each other.
    await page.getByTestId('view-multiplanar').click()
    const toggle = page.getByTestId('crosshair-toggle')
    await expect(toggle).toHaveAttribute('aria-pressed', 'true')
    await toggle.click()
    await expect(toggle).toHaveAttribute('aria-pressed', 'false')
    await toggle.click()
    await expect(toggle).toHaveAttribute('aria-pressed', 'true')

    // Window presets, their values in the fields and live right-drag windowing: tests/e2e/views.spec.ts.

    // Nothing wider than the window: no horizontal scrolling, the side panel and the banner inside it.
    const fits = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }))
    expect(fits.scroll).toBeLessThanOrEqual(fits.inner)
    for (const selector of ['.sidebar', '[data-testid=patient-banner]', '[data-testid=toolbar]', '[data-testid=window-controls]']) {
      const part = (await page.locator(selector).boundingBox())!
      expect(part.x, selector).toBeGreaterThanOrEqual(0)
      expect(part.x + part.width, selector).toBeLessThanOrEqual(1024 + 0.5)
      expect(part.y + part.height, selector).toBeLessThanOrEqual(640 + 0.5)
    }
  })
