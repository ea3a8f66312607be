import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { canvasImage, pen, pixel, readout } from './helpers'
import { makeVolumeFrom } from './nifti'

// 64×64×32 at 1×1×2 mm; the value of file voxel (x, y, z) is 10x + y, so an ROI's figures follow
// from its corners alone.
const SPACING = [1, 1, 2]
const volume = () => makeVolumeFrom([64, 64, 32], [1, 1, 2], (x, y) => 10 * x + y)

/** Click at (dx, dy) px from the canvas centre; the file voxel the crosshair moved to. */
async function clickVoxel(page: Page, dx: number, dy: number): Promise<number[]> {
  const before = (await readout(page)).voxel.join()
  await pen(page).click(dx, dy)
  await expect.poll(async () => (await readout(page)).voxel.join()).not.toBe(before)
  return (await readout(page)).voxel
}

const mmBetween = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => (v - b[i]) * SPACING[i]))
const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)

test('measurements: a distance in the axial and the coronal view, an ROI\'s mean, sd, min and max; kept over a reload; CSV',
  async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 })
    await page.goto('/')
    await page.getByTestId('file-input').setInputFiles({ name: 'measure.nii.gz', mimeType: 'application/gzip', buffer: volume() })
    await expect(page.getByTestId('volume-info')).toHaveText(/64×64×32/)
    await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
    await page.getByTestId('view-axial').click()
    const items = page.getByTestId('measurement')

    // Distance on an axial slice: two clicks, voxel-exact (same slice: in-plane millimetres).
    await page.getByTestId('measure-distance').click()
    await expect(page.getByTestId('measure-hint')).toHaveText('click the first point')
    const a = await clickVoxel(page, -120, -80)
    await expect(page.getByTestId('measure-hint')).toHaveText('click the second point')
    const b = await clickVoxel(page, 90, 110)
    expect(a[2]).toBe(b[2])
    await expect(items).toHaveCount(1)
    const axial = mmBetween(a, b)
    expect(axial).toBeGreaterThan(20)
    expect(Number(await items.nth(0).getAttribute('data-value'))).toBeCloseTo(axial, 4)
    await expect(items.nth(0).getByTestId('measurement-value')).toHaveText(`${axial.toFixed(1)} mm`)
    await expect(page.getByTestId('measure-hint')).toHaveCount(0)

    // In the coronal view the slice fixes y: the distance spans x and 2 mm slices in z.
    await page.getByTestId('view-coronal').click()
    await page.getByTestId('measure-distance').click()
    const c = await clickVoxel(page, -60, -100)
    const d = await clickVoxel(page, 40, 60)
    expect(c[1]).toBe(d[1])
    expect(c[2]).not.toBe(d[2])
    await expect(items).toHaveCount(2)
    expect(Number(await items.nth(1).getAttribute('data-value'))).toBeCloseTo(mmBetween(c, d), 4)
    await expect(items.nth(1)).toContainText('coronal')

    // An axial ROI: the rectangle between two corners; figures from 10x + y over it.
    await page.getByTestId('view-axial').click()
    await page.getByTestId('measure-roi').click()
    const p = await clickVoxel(page, -50, -40)
    const q = await clickVoxel(page, 30, 20)
    const values = range(Math.min(p[0], q[0]), Math.max(p[0], q[0]))
      .flatMap((x) => range(Math.min(p[1], q[1]), Math.max(p[1], q[1])).map((y) => 10 * x + y))
    const mean = values.reduce((s, v) => s + v, 0) / values.length
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length)
    await expect(items).toHaveCount(3)
    const roi = items.nth(2)
    expect(await roi.getAttribute('data-kind')).toBe('roi')
    expect(Number(await roi.getAttribute('data-n'))).toBe(values.length)
    expect(Number(await roi.getAttribute('data-value'))).toBeCloseTo(mean, 6)
    expect(Number(await roi.getAttribute('data-sd'))).toBeCloseTo(sd, 6)
    expect(Number(await roi.getAttribute('data-min'))).toBe(Math.min(...values))
    expect(Number(await roi.getAttribute('data-max'))).toBe(Math.max(...values))

    // Kept with the case over a reload; a deleted one stays deleted.
    await items.nth(1).getByTestId('measurement-delete').click()
    await page.reload()
    await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
    await expect(items).toHaveCount(2)
    expect(Number(await items.nth(0).getAttribute('data-value'))).toBeCloseTo(axial, 4)

    // CSV: a header and one line per measurement.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('measure-csv').click()])
    expect(download.suggestedFilename()).toMatch(/^measure_\d{8}-\d{4}_measurements\.csv$/)
    const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[1].split(',')[10]).toBe(axial.toFixed(2))
    expect(lines[2].split(',').slice(11, 17)).toEqual([String(values.length), values.length.toFixed(2), mean.toFixed(2),
      sd.toFixed(2), Math.min(...values).toFixed(2), Math.max(...values).toFixed(2)])
  })

test('measurements are drawn on the view that shows their slice, and only there', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto('/')
  // Thin slices (0.5 mm): one slice away is well within NiiVue's own 2 mm tolerance for placing a point.
  await page.getByTestId('file-input').setInputFiles({ name: 'measure.nii.gz', mimeType: 'application/gzip',
    buffer: makeVolumeFrom([64, 64, 32], [1, 1, 0.5], () => 100) })
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
  await page.getByTestId('view-axial').click()
  const canvas = page.locator('[data-testid=viewer] canvas')
  const drawn = () => canvas.getAttribute('data-measurements')
  /** Whether the distance line's yellow is at (dx, dy) from the centre, give or take 8 px up or down
   * (the line joins voxel centres, not the points clicked; the image is one gray). */
  const yellowAt = async (dx: number, dy: number) => {
    const image = await canvasImage(page)
    return Array.from({ length: 17 }, (_, k) => pixel(image, Math.floor(image.width / 2) + dx, Math.floor(image.height / 2) + dy + k - 8))
      .some(([r, g, b]) => r > 200 && g > 150 && b < 120)
  }
  expect(await yellowAt(-15, 15)).toBe(false)
  await page.getByTestId('measure-distance').click()
  await clickVoxel(page, -120, -80)
  await clickVoxel(page, 90, 110)
  await expect(page.getByTestId('measurement')).toHaveCount(1)
  const id = await page.getByTestId('measurement').first().getAttribute('data-id')
  await expect.poll(drawn).toBe(`axial:distance:${id}`)
  await expect.poll(() => yellowAt(-15, 15), { message: 'the line through the midpoint' }).toBe(true)

  // One slice further the measurement is not on screen; back on its slice it is again.
  const box = (await canvas.boundingBox())!
  await page.mouse.move(box.x + box.width / 2 - 15, box.y + box.height / 2 + 15)
  await page.mouse.wheel(0, 100)
  await expect.poll(drawn).toBe('')
  await expect.poll(() => yellowAt(-15, 15)).toBe(false)
  await page.mouse.wheel(0, -100)
  await expect.poll(drawn).toBe(`axial:distance:${id}`)

  // The coronal view does not show an axial measurement; after a reload the axial one is drawn again.
  await page.getByTestId('view-coronal').click()
  await expect.poll(drawn).toBe('')
  await page.reload()
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
  await page.getByTestId('view-axial').click()
  await expect.poll(drawn).toBe(`axial:distance:${id}`)
})
