import { expect, test, type Page } from '@playwright/test'
import { blend, canvasImage, colourAt, job, near, pen, session, settledCanvas, swatchColor, typeWindow, windowed, type Rgb } from './helpers'
import type { Rgba } from './png'
import { makeVolumeFrom } from './nifti'

// Mask colours across a case (issue 27, point 4), and the brush (point 7): every mask of a case
// has its own colour whichever run made it, kept on the server; the brush paints in the colour
// the mask keeps; the 3D surface follows a recolour at once.

async function segment(page: Page, prompts: string[], rows: number) {
  for (const p of prompts) {
    await page.getByTestId('prompt-input').fill(p)
    await page.getByTestId('prompt-input').press('Enter')
  }
  await page.getByTestId('run-button').click()
  await expect(page.getByTestId('result-row')).toHaveCount(rows, { timeout: 120_000 })
}

async function swatches(page: Page): Promise<Rgb[]> {
  const n = await page.getByTestId('result-row').count()
  return Promise.all(Array.from({ length: n }, (_, i) => swatchColor(page, i)))
}

const distinct = (colours: Rgb[]) => new Set(colours.map((c) => c.join())).size === colours.length

/** Pixels of the image whose colour ``match`` accepts. */
function count(image: Rgba, match: (rgb: Rgb) => boolean): number {
  let n = 0
  for (let p = 0; p < image.width * image.height; p++) {
    if (match([image.data[4 * p], image.data[4 * p + 1], image.data[4 * p + 2]])) n++
  }
  return n
}

test('colours: distinct within a case across runs and kept on the server; the brush paints in the saved colour; the 3D surface follows a recolour',
  async ({ page, request }) => {
    await page.goto('/')
    await page.getByTestId('file-input').setInputFiles({ name: 'flat.nii.gz', mimeType: 'application/gzip',
      buffer: makeVolumeFrom([48, 48, 16], [1, 1, 2], () => 100) })
    await expect(page.getByTestId('volume-info')).toHaveText(/48×48×16/)
    await segment(page, ['liver', 'spleen'], 2)
    const first = await swatches(page)
    await segment(page, ['liver', 'spleen'], 4)

    // The second run continues the palette: four different colours in the list, the same on the server.
    await expect.poll(async () => distinct(await swatches(page)), { message: 'four distinct colours' }).toBe(true)
    const colours = await swatches(page)
    expect(colours.slice(0, 2), 'the first run keeps its colours').toEqual(first)
    const { jobIds } = await session(page)
    await expect.poll(async () => (await job(request, jobIds[1])).results.map((r) => (r as unknown as { color: Rgb }).color),
      { message: 'the second run\'s colours are stored on the server' }).toEqual(colours.slice(2))
    await page.reload()
    await expect(page.getByTestId('result-row')).toHaveCount(4)
    expect(await swatches(page), 'the same colours after a reload').toEqual(colours)

    // The brush: a new mask is drawn in the colour it is then saved with (not red, then another colour).
    const rows = page.getByTestId('result-row')
    for (let i = 0; i < 4; i++) await rows.nth(i).getByTestId('result-visible').uncheck()
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '0')
    await page.getByTestId('view-axial').click()
    await typeWindow(page, 40, 400)
    const g = windowed(100, 40, 400)
    const base: Rgb = [g, g, g]
    const spot: [number, number] = [-150, -100] // the middle of the stroke, clear of the crosshair at its end
    await expect.poll(() => colourAt(page, ...spot)).toEqual(base)
    await page.getByTestId('draw-target').selectOption('new')
    await page.getByTestId('draw-start').click()
    await page.getByTestId('draw-size').fill('6')
    await pen(page).stroke([[-200, -150], [-100, -50]], 4)
    await expect.poll(() => colourAt(page, ...spot), { message: 'the stroke shows' }).not.toEqual(base)
    const drawn = await colourAt(page, ...spot)
    await pen(page).stroke([[40, -150], [140, -50]], 4)
    await expect.poll(() => colourAt(page, 90, -100), { message: 'the second stroke in the first one\'s colour' }).toEqual(drawn)
    expect(await colourAt(page, ...spot), 'the first stroke keeps its colour').toEqual(drawn)
    await page.getByTestId('draw-save').click()
    await page.getByTestId('save-name-input').fill('drawn')
    await page.getByTestId('save-name-ok').click()
    await expect(rows).toHaveCount(5)
    const saved = await swatchColor(page, 4)
    expect(distinct([...colours, saved]), `the drawn mask's colour ${saved} is a fifth one`).toBe(true)
    expect(near(drawn, blend(base, saved, 0.7), 3), `drawn ${drawn} in the saved colour ${saved} at the brush's opacity 0.7`).toBe(true)
    await rows.nth(4).getByTestId('result-opacity').fill('0.7')
    await expect.poll(async () => near(await colourAt(page, ...spot), drawn, 3),
      { message: 'the saved mask at opacity 0.7 looks as it was drawn' }).toBe(true)

    // 3D: one mask's surface, then recoloured green: the surface turns green at once.
    await rows.nth(4).getByTestId('result-visible').uncheck()
    await rows.nth(0).getByTestId('result-visible').check()
    await page.getByTestId('view-render').click()
    const green = ([r, gr, b]: Rgb) => gr > 120 && r < 80 && b < 80 && gr > 2 * r
    const like = (c: Rgb) => ([r, gr, b]: Rgb) => {
      const s = r + gr + b
      const t = c[0] + c[1] + c[2]
      return s > 90 && Math.abs(r / s - c[0] / t) < 0.06 && Math.abs(gr / s - c[1] / t) < 0.06 && Math.abs(b / s - c[2] / t) < 0.06
    }
    await expect.poll(async () => count(await settledCanvas(page), like(colours[0])), { message: 'the surface in its colour', timeout: 60_000 })
      .toBeGreaterThan(2000)
    expect(count(await settledCanvas(page), green), 'nothing green before').toBeLessThan(50)
    await rows.nth(0).getByTestId('result-color').fill('#00ff00')
    await expect.poll(async () => count(await canvasImage(page), green), { message: 'the surface turns green', timeout: 10_000 })
      .toBeGreaterThan(2000)
  })
