import { expect, test, type Page } from '@playwright/test'
import { canvasImage, changedPixels, settledCanvas, typeWindow } from './helpers'
import { makeVolume, makeVolumeFrom } from './nifti'
import type { Rgba } from './png'

// The 2D views window as they draw; the 3D rendering uses NiiVue's colour texture, rebaked for the
// window once it settles while a 3D view is on screen (in the 3D layout and in the multiplanar one),
// and when a 3D view comes back after a change — a few slices per task, from the intensities the 2D
// views read (viewer/liveBake.ts).

const canvas = '[data-testid=viewer] canvas'

/** Until no rebake of the colours and no 3D picture is under way. */
async function threeDCurrent(page: Page): Promise<void> {
  await expect(page.locator(canvas), 'the colours rebaked').not.toHaveAttribute('data-baking3d', /.*/, { timeout: 30_000 })
  await expect(page.locator(canvas), 'the 3D picture drawn').not.toHaveAttribute('data-pending3d', /.*/, { timeout: 30_000 })
}

/** Rebakes of the colours done from the intensities on the GPU (viewer/liveBake.ts). */
async function bakes(page: Page): Promise<number> {
  return Number((await page.locator(canvas).getAttribute('data-live-bakes3d')) ?? 0)
}

async function openBody(page: Page): Promise<void> {
  await page.goto('/')
  await page.getByTestId('file-input').setInputFiles({ name: 'body.nii.gz', mimeType: 'application/gzip',
    buffer: makeVolume([48, 40, 32], [1, 1, 2]) })
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-live-window', 'on', { timeout: 30_000 })
}

/** Open a volume large enough that a bake takes several tasks (viewer/liveBake.ts); a bright cube in a
 * corner (0.4 % of the voxels) sets the full range far above the first preset's window, so that the
 * two look plainly different. Shown in ``layout`` (the multiplanar one: where a case opens; null: as it opened), on the page open. */
async function openLarge(page: Page, layout: string | null = 'multiplanar'): Promise<void> {
  const body = (x: number, y: number, z: number) => {
    const r = Math.hypot(x - 128, y - 128, z - 48)
    return (r < 43 ? 40 : -1000) + (Math.hypot(x - 154, y - 115, z - 48) < 30 ? 80 : 0) + ((x * 7 + y * 13 + z * 3) % 11)
  }
  await page.getByTestId('file-input').setInputFiles({ name: 'body.nii.gz', mimeType: 'application/gzip',
    buffer: makeVolumeFrom([256, 256, 96], [1, 1, 2], (x, y, z) => (x < 30 && y < 30 && z < 30 ? 3000 : body(x, y, z))) })
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-live-window', 'on', { timeout: 30_000 })
  if (layout) await page.getByTestId(`view-${layout}`).click()
}

/** The 3D view once rebaked for the preset ``name`` (chosen now) and drawn. */
async function windowPicture(page: Page, name: string): Promise<Rgba> {
  const baked = await bakes(page)
  await page.getByTestId('window-preset').selectOption(name)
  await expect.poll(() => bakes(page), { message: `rebaked for ${name}`, timeout: 15_000 }).toBe(baked + 1)
  await threeDCurrent(page)
  return tileOf(page, await settledCanvas(page), 'render')
}

/** A view's tile in ``image`` (the canvas lists its tiles as ``name:left,top,width,height``). */
async function tileOf(page: Page, image: Rgba, name: string): Promise<Rgba> {
  const tiles = (await page.locator(canvas).getAttribute('data-tiles')) ?? ''
  const entry = tiles.split(' ').find((t) => t.startsWith(`${name}:`))
  expect(entry, `a ${name} view on screen (${tiles})`).toBeTruthy()
  const [left, top, width, height] = entry!.slice(name.length + 1).split(',').map(Number)
  const data = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) data.set(image.data.subarray(((top + y) * image.width + left) * 4, ((top + y) * image.width + left + width) * 4), y * width * 4)
  return { width, height, data } as Rgba
}

test('the 3D view follows the window: when it comes on screen, and after a change made while it is shown', async ({ page }) => {
  await openBody(page)
  await page.getByTestId('view-render').click()
  await typeWindow(page, -600, 1200)
  await page.waitForTimeout(1500) // past the rebake's quiet time
  await threeDCurrent(page)
  const first = await settledCanvas(page)

  // Changed in a 2D view, then back to 3D: the rendering is of the new window.
  await page.getByTestId('view-axial').click()
  await typeWindow(page, 60, 80)
  await page.waitForTimeout(1500) // no 3D view on screen when the quiet time ends: nothing rebaked then
  await page.getByTestId('view-render').click()
  await threeDCurrent(page)
  const second = await settledCanvas(page)
  expect(changedPixels(first, second).length, 'the 3D view changed with the window').toBeGreaterThan(500)

  // Changed while the 3D view is shown: it comes back to exactly the first picture.
  await typeWindow(page, -600, 1200)
  await expect.poll(async () => changedPixels(first, await canvasImage(page)).length,
    { message: 'the 3D view shows the first window again', timeout: 15_000 }).toBe(0)
})

test("the multiplanar layout's 3D view follows the window, rebaked a few slices per task, as NiiVue's own bake shows it", async ({ page }) => {
  await openBody(page)
  await page.getByTestId('view-multiplanar').click()
  await threeDCurrent(page)
  const before = await tileOf(page, await settledCanvas(page), 'render')
  const baked = await bakes(page)
  await typeWindow(page, -600, 1200)
  await expect.poll(() => bakes(page), { message: 'rebaked from the intensities on the GPU', timeout: 15_000 }).toBe(baked + 1)
  await threeDCurrent(page)
  const ours = await tileOf(page, await settledCanvas(page), 'render')
  expect(changedPixels(before, ours).length, 'the 3D view shows the new window').toBeGreaterThan(500)

  // NiiVue's own bake of the same window (the switch for support and tests: data-live-bake="off").
  await page.locator(canvas).evaluate((c: HTMLCanvasElement) => { c.dataset.liveBake = 'off' })
  await typeWindow(page, 60, 80)
  await page.waitForTimeout(1500)
  await threeDCurrent(page)
  await typeWindow(page, -600, 1200)
  await page.waitForTimeout(1500)
  await threeDCurrent(page)
  const niivue = await tileOf(page, await settledCanvas(page), 'render')
  expect(await bakes(page), 'NiiVue baked these').toBe(baked + 1)
  expect(changedPixels(ours, niivue), "as NiiVue's bake shows it").toEqual([])
})

test("a case opens without NiiVue's bake of every voxel: its colours are baked from the intensities, as NiiVue's own bake shows them", async ({ page, browser }) => {
  await openBody(page)
  await page.getByTestId('view-multiplanar').click() // (the layout a case opens in)
  await threeDCurrent(page)
  expect(await bakes(page), 'the first bake done from the intensities on the GPU').toBe(1)
  const ours = await settledCanvas(page)

  // The same file opened where NiiVue bakes (data-live-bake="off" on the canvas from the start).
  const context = await browser.newContext({ viewport: page.viewportSize() })
  const other = await context.newPage()
  await other.addInitScript(() => new MutationObserver(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid=viewer] canvas')
    if (c && c.dataset.liveBake !== 'off') c.dataset.liveBake = 'off'
  }).observe(document, { childList: true, subtree: true }))
  try {
    await openBody(other)
    await other.getByTestId('view-multiplanar').click()
    await threeDCurrent(other)
    expect(await bakes(other), 'NiiVue baked it').toBe(0)
    const niivue = await settledCanvas(other)
    // every view: the 2D ones (the live window either way) and the 3D one (the baked colours)
    expect(changedPixels(ours, niivue), "as NiiVue's bake shows it").toEqual([])
    const render = await tileOf(page, ours, 'render')
    expect(new Set(Array.from({ length: render.data.length / 4 }, (_, i) => render.data[i * 4])).size,
      'the 3D view shows the volume').toBeGreaterThan(20)
  } finally {
    await context.close()
  }
})

test('a change of window during a rebake stops it, and the 3D view ends on the window chosen last, also when that is the one the stopped bake was of', async ({ page }) => {
  await page.goto('/')
  await openLarge(page)
  // The opening's own bake done first: a change counted from before it would take its end for the
  // change's rebake.
  await expect.poll(() => bakes(page), { message: 'the colours baked at the opening', timeout: 30_000 }).toBe(1)
  const preset = page.getByTestId('window-preset')
  const pictureOf = (name: string) => windowPicture(page, name)
  const auto = await preset.locator('option').first().getAttribute('value')
  const full = await pictureOf('full range')
  await pictureOf(auto!)
  // (polled: the new 3D picture is shown a frame or more after the rebake's end)
  const renderNow = async () => tileOf(page, await canvasImage(page), 'render')
  await expect.poll(async () => changedPixels(full, await renderNow()).length,
    { message: 'the two windows look different', timeout: 15_000 }).toBeGreaterThan(5000)

  // To full range; once its rebake has begun, to auto, and back to full range before the next one.
  await page.locator(canvas).evaluate((c: HTMLCanvasElement, auto: string) => {
    const select = document.querySelector<HTMLSelectElement>('[data-testid=window-preset]')!
    const choose = (value: string) => {
      select.value = value
      select.dispatchEvent(new Event('change', { bubbles: true }))
    }
    new MutationObserver((_, observer) => {
      if (!c.dataset.baking3d) return
      observer.disconnect()
      choose(auto)
      setTimeout(() => choose('full range'), 100)
    }).observe(c, { attributes: true, attributeFilter: ['data-baking3d'] })
  }, auto!)
  const stopped = Number((await page.locator(canvas).getAttribute('data-live-bakes-stopped3d')) ?? 0)
  await preset.selectOption('full range')
  await expect(page.locator(canvas), 'the rebake for full range stopped by the change to auto')
    .toHaveAttribute('data-live-bakes-stopped3d', String(stopped + 1), { timeout: 15_000 })
  await expect(preset).toHaveValue('full range')
  await page.waitForTimeout(1000) // past the quiet time after the last change
  await threeDCurrent(page)
  await expect.poll(async () => changedPixels(full, await renderNow()).length,
    { message: 'the 3D view shows full range, every slice', timeout: 15_000 }).toBe(0)
})

test("a change of window while a case's colours are first baked stops that bake, and the 3D view shows the new window", async ({ page }) => {
  // The preset changed as soon as the opening's bake is under way and the window live.
  await page.goto('/')
  await fullRangeDuringFirstBake(page, false)
  await openLarge(page)
  await expectFullRangeAfterStoppedFirstBake(page)
})

test('a 3D view shown while the colours are first baked waits for them, and a change of window then has them rebaked for it', async ({ page }) => {
  // Opened in the axial view; while the opening's bake is under way the multiplanar layout is chosen
  // (its 3D tile blank until the colours are baked), and at once another window.
  await page.goto('/')
  await page.evaluate(() => localStorage.setItem('voxtell-web-viewer', JSON.stringify({ view: 'axial' })))
  await page.reload()
  await fullRangeDuringFirstBake(page, true)
  await openLarge(page, null)
  await expect(page.getByTestId('view-multiplanar')).toHaveAttribute('aria-pressed', 'true')
  await expectFullRangeAfterStoppedFirstBake(page)
})

/** On the page open, before a case is: full range chosen as soon as the opening's bake is under way
 * and the window live — and just before, the multiplanar layout where ``multiplanar`` says so. */
async function fullRangeDuringFirstBake(page: Page, multiplanar: boolean): Promise<void> {
  await page.evaluate((multiplanar: boolean) => new MutationObserver((_, observer) => {
    const viewer = document.querySelector('[data-testid=viewer]')
    const c = viewer?.querySelector('canvas')
    if (viewer?.getAttribute('data-live-window') !== 'on' || !c?.dataset.baking3d) return
    observer.disconnect()
    if (multiplanar) document.querySelector<HTMLButtonElement>('[data-testid=view-multiplanar]')!.click()
    const select = document.querySelector<HTMLSelectElement>('[data-testid=window-preset]')!
    select.value = 'full range'
    select.dispatchEvent(new Event('change', { bubbles: true }))
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-live-window', 'data-baking3d'] }), multiplanar)
}

/** The opening's bake stopped by that change, the colours rebaked for full range, and the 3D view
 * then as full range reached the usual way (from another window), every pixel. */
async function expectFullRangeAfterStoppedFirstBake(page: Page): Promise<void> {
  await expect(page.locator(canvas), "the opening's bake stopped by the change")
    .toHaveAttribute('data-live-bakes-stopped3d', '1', { timeout: 15_000 })
  await expect(page.getByTestId('window-preset')).toHaveValue('full range')
  await expect.poll(() => bakes(page), { message: 'rebaked for full range', timeout: 15_000 }).toBe(1)
  await threeDCurrent(page)
  const early = await tileOf(page, await settledCanvas(page), 'render')

  const first = await page.getByTestId('window-preset').locator('option').first().getAttribute('value')
  const other = await windowPicture(page, first!)
  const full = await windowPicture(page, 'full range')
  expect(changedPixels(other, full).length, 'the two windows look different').toBeGreaterThan(5000)
  expect(changedPixels(early, full), 'the 3D view shows full range, every slice').toEqual([])
}
