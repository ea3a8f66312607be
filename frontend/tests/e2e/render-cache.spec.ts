import { expect, test, type Page } from '@playwright/test'
import { caseWithOneHiddenRun, changedPixels, settledCanvas } from './helpers'
import { makeVolume } from './nifti'
import type { Rgba } from './png'

// The multiplanar layout keeps its 3D picture while only the 2D views change (viewer/renderCache.ts):
// what it shows must be, to the pixel, what NiiVue's own drawing shows — the 3D crosshair where the
// slices are, a recoloured or hidden mask's surface as it is now, the 2D views' marks drawn after it.

const canvas = '[data-testid=viewer] canvas'

async function frames3d(page: Page): Promise<{ drawn: number; reused: number; deferred: number }> {
  return page.locator(canvas).evaluate((c: HTMLCanvasElement) => ({ drawn: Number(c.dataset.drawn3d ?? 0),
    reused: Number(c.dataset.reused3d ?? 0), deferred: Number(c.dataset.deferred3d ?? 0) }))
}

/** A view's tile, ``name:left,top,width,height`` in canvas pixels as the canvas lists them. */
async function tile(page: Page, name: string): Promise<number[]> {
  const tiles = (await page.locator(canvas).getAttribute('data-tiles')) ?? ''
  const entry = tiles.split(' ').find((t) => t.startsWith(`${name}:`))
  expect(entry, `a ${name} view on screen (${tiles})`).toBeTruthy()
  return entry!.slice(name.length + 1).split(',').map(Number)
}

/** The pixels of the 3D view in ``image``. */
function crop(image: Rgba, box: number[]): Rgba {
  const [left, top, width, height] = box
  const data = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    const start = ((top + y) * image.width + left) * 4
    data.set(image.data.subarray(start, start + width * 4), y * width * 4)
  }
  return { width, height, data } as Rgba
}

/** The canvas as NiiVue's own drawing shows it: the reuse turned off (``data-reuse3d``), the canvas
 * resized and back to draw it again, the reuse turned on again. The whole canvas: the 2D views' text
 * and lines are drawn after the 3D view, with the GL state it leaves. */
async function niivueDrawing(page: Page, box: number[]): Promise<Rgba> {
  const size = page.viewportSize()!
  await page.locator(canvas).evaluate((c: HTMLCanvasElement) => { c.dataset.reuse3d = 'off' })
  const tiles = await page.locator(canvas).getAttribute('data-tiles')
  await page.setViewportSize({ width: size.width - 40, height: size.height })
  await expect.poll(() => page.locator(canvas).getAttribute('data-tiles'), { message: 'drawn at the other size' }).not.toBe(tiles)
  await page.setViewportSize(size)
  await expect.poll(async () => (await tile(page, 'render')).join(), { message: 'the layout is back' }).toBe(box.join())
  const image = await settledCanvas(page)
  await page.locator(canvas).evaluate((c: HTMLCanvasElement) => { delete c.dataset.reuse3d })
  return image
}

test('the 3D view of the multiplanar layout: reused while a slice is scrolled, an opacity changes or the crosshair is hidden, redrawn behind the shown picture after a recolour or a hide, always as NiiVue draws it', async ({ page }) => {
  // A workstation of 16 threads drawing WebGL in software (as a VDI desktop): NiiVue would ask for
  // antialiasing by the thread count, which software rendering pays for in every frame, and the
  // reuse needs a canvas without it (viewer/renderer.ts).
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 16 }))
  await caseWithOneHiddenRun(page, 'body.nii.gz', makeVolume([48, 40, 32], [1, 1, 2]), [48, 40, 32])
  await expect(page.getByTestId('viewer'), 'headless Chromium without a GPU: SwiftShader').toHaveAttribute('data-webgl', 'software')
  expect(await page.locator(canvas).evaluate((c: HTMLCanvasElement) => c.getContext('webgl2')?.getContextAttributes()?.antialias))
    .toBe(false)
  await page.getByTestId('view-multiplanar').click()
  const row = page.getByTestId('result-row').nth(0)
  await row.getByTestId('result-visible').check()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '1')
  const box = await tile(page, 'render')
  const start = crop(await settledCanvas(page), box)

  // A slice scrolled in the axial view: the 3D picture is not drawn again, its crosshair moves.
  const before = await frames3d(page)
  const slices = await page.getByTestId('slicebar').textContent()
  const axial = await tile(page, 'axial')
  const area = (await page.locator(canvas).boundingBox())!
  const scale = area.width / (await page.locator(canvas).evaluate((c: HTMLCanvasElement) => c.width))
  await page.mouse.move(area.x + (axial[0] + axial[2] / 2) * scale, area.y + (axial[1] + axial[3] / 2) * scale)
  await page.mouse.wheel(0, 100)
  await expect(page.getByTestId('slicebar')).not.toHaveText(slices!)
  const scrolledCanvas = await settledCanvas(page)
  const scrolled = crop(scrolledCanvas, box)
  const after = await frames3d(page)
  expect(after.reused, 'the stored 3D picture shown again').toBeGreaterThan(before.reused)
  expect(after.drawn, 'the 3D view not ray-cast again').toBe(before.drawn)
  expect(changedPixels(start, scrolled).length, 'the 3D crosshair moved with the slice').toBeGreaterThan(20)
  expect(changedPixels(scrolledCanvas, await niivueDrawing(page, box)), "as NiiVue's own drawing").toEqual([])

  // The mask's opacity: the 2D views change; the 3D view, which shows the surface and not the
  // label volume whose colour table changed, is reused, and is still what NiiVue draws.
  const opaque = await settledCanvas(page)
  const beforeOpacity = await frames3d(page)
  await row.getByTestId('result-opacity').fill('0.3')
  await expect.poll(async () => changedPixels(opaque, await settledCanvas(page)).length,
    { message: 'the 2D views show the new opacity' }).toBeGreaterThan(100)
  const afterOpacity = await frames3d(page)
  expect(afterOpacity.drawn, 'the 3D view not ray-cast again for an opacity').toBe(beforeOpacity.drawn)
  expect(afterOpacity.reused).toBeGreaterThan(beforeOpacity.reused)
  expect(changedPixels(await settledCanvas(page), await niivueDrawing(page, box)), "as NiiVue's own drawing").toEqual([])

  // Recoloured, hidden: the 3D view's picture is drawn again behind the one shown (the 2D views show
  // the change in the same frame) and then shown; the crosshair turned off: the picture, which never
  // holds the crosshair, is kept. Every time as NiiVue draws it.
  for (const [change, redrawn] of [
    [() => row.getByTestId('result-color').fill('#00ff00'), true],
    [() => row.getByTestId('result-visible').uncheck(), true],
    [() => page.getByTestId('crosshair-toggle').click(), false],
  ] as const) {
    const shown = crop(await settledCanvas(page), box)
    const before = await frames3d(page)
    await change()
    await expect.poll(async () => changedPixels(shown, crop(await settledCanvas(page), box)).length,
      { message: 'the 3D view changed' }).toBeGreaterThan(50)
    await expect(page.locator(canvas), 'no picture still being drawn').not.toHaveAttribute('data-pending3d', /.*/)
    const after = await frames3d(page)
    expect(after.deferred - before.deferred, 'pictures drawn behind the shown one').toBe(redrawn ? 1 : 0)
    expect(after.drawn - before.drawn, 'pictures drawn').toBe(redrawn ? 1 : 0)
    const now = await settledCanvas(page)
    expect(changedPixels(now, await niivueDrawing(page, box)), "as NiiVue's own drawing").toEqual([])
  }
})
