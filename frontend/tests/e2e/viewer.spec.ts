import { expect, test, type Page } from '@playwright/test'
import { canvasImage, changedPixels, dropFiles, overflowing, readout, session, settledCanvas } from './helpers'
import { makeVolumeFrom } from './nifti'

// 80×80×40, 1×1×2 mm, stored LAS (file x runs from the patient's right to their left). The
// patient's right half (file x < 40) is 100, the left half 500: the readout says which is where.
const RIGHT = 100
const LEFT = 500
const volume = () => makeVolumeFrom([80, 80, 40], [1, 1, 2], (x, y, z) => (x < 40 ? RIGHT : LEFT) + (y === 0 ? z : 0))

async function expectFits(page: Page, when: string) {
  expect(await overflowing(page), `${when}: elements outside the window`).toEqual([])
  const size = page.viewportSize()!
  const box = (await page.locator('[data-testid=viewer] canvas').boundingBox())!
  expect(box.y + box.height, `${when}: canvas bottom`).toBeLessThanOrEqual(size.height)
  expect(box.height, `${when}: canvas height`).toBeLessThanOrEqual(size.height)
  expect(box.height, `${when}: the images keep most of the height`).toBeGreaterThan(size.height * 0.55)
}

/** Click ``dx`` pixels right of the canvas centre and return the readout there. */
async function clickAt(page: Page, dx: number) {
  const box = (await page.locator('[data-testid=viewer] canvas').boundingBox())!
  await page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + 20)
  await expect.poll(async () => (await readout(page)).mm[0]).not.toBeNaN()
  return readout(page)
}

test('viewer: drop on the images, layout across sizes and resizes, radiological convention, slices, keys, zoom',
  async ({ page, request }) => {
    await page.setViewportSize({ width: 1600, height: 900 })
    await page.goto('/')
    // The empty start page: a hint, and no "loading ..." drawn forever in the viewer (one colour).
    await expect(page.getByTestId('empty-state')).toContainText('Drop a CT, MR or PET volume')
    const hint = await page.addStyleTag({ content: '.empty { visibility: hidden }' }) // the canvas alone
    const empty = await settledCanvas(page)
    await hint.evaluate((e) => (e as Element).remove())
    expect(new Set(Array.from({ length: empty.width * empty.height }, (_, p) => empty.data.slice(p * 4, p * 4 + 3).join())).size,
      'the empty viewer is blank').toBe(1)
    await expectFits(page, 'empty, 1600×900')

    // A drop on the viewer uploads through the app: the server holds the volume and the viewer shows it.
    await dropFiles(page, 'canvas', [{ name: 'lr_phantom.nii.gz', buffer: volume(), type: 'application/gzip' }])
    await expect(page.getByTestId('volume-info')).toHaveText(/80×80×40/)
    const { volumeId } = await session(page)
    const stored = await request.get(`/api/volumes/${volumeId}`)
    expect(stored.status()).toBe(200)
    expect((await stored.json()).shape).toEqual([80, 80, 40])
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', volumeId, { timeout: 60_000 })
    await expect(page.getByTestId('case-row')).toHaveText(['lr_phantom.nii.gz×'])
    expect((await readout(page)).volume).toBe(volumeId)
    expect(changedPixels(empty, await settledCanvas(page)).length, 'the viewer shows the volume').toBeGreaterThan(10_000)

    // Radiological by default: the patient's left (file x >= 40, value 500, smaller RAS x) on screen right.
    await page.getByTestId('view-axial').click()
    await expect(page.getByTestId('convention')).toHaveAttribute('data-value', 'radiological')
    const rightOfScreen = await clickAt(page, 120)
    const leftOfScreen = await clickAt(page, -120)
    expect(rightOfScreen.value, 'screen right shows the patient\'s left half').toBe(LEFT)
    expect(leftOfScreen.value).toBe(RIGHT)
    expect(rightOfScreen.mm[0], 'RAS x grows to the patient\'s right').toBeLessThan(leftOfScreen.mm[0])
    expect(rightOfScreen.voxel[0], 'file voxel x grows to the patient\'s left').toBeGreaterThan(leftOfScreen.voxel[0])
    await expect(page.getByTestId('readout-value')).toHaveText(String(RIGHT))
    await expect(page.getByTestId('readout-mm')).toHaveText(/^-?\d+\.\d, -?\d+\.\d, -?\d+\.\d$/)
    // Neurological: the same screen pixel now shows the patient's right; remembered over a reload.
    await page.getByTestId('convention').click()
    await expect(page.getByTestId('convention')).toHaveAttribute('data-value', 'neurological')
    expect((await clickAt(page, 120)).value).toBe(RIGHT)
    await page.reload()
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', volumeId, { timeout: 60_000 })
    await expect(page.getByTestId('convention')).toHaveAttribute('data-value', 'neurological')
    expect((await clickAt(page, 120)).value).toBe(RIGHT)
    await page.getByTestId('convention').click()
    expect((await clickAt(page, 120)).value).toBe(LEFT)

    // Slices: the number and slider of the view, keyboard stepping (arrows, Page Up/Down).
    const number = page.getByTestId('slice-number-axial')
    const at = async () => Number((await number.textContent())!.match(/^Ax (\d+) /)![1])
    const start = await at()
    await page.keyboard.press('ArrowUp')
    await expect.poll(at).toBe(start + 1)
    // One convention: the slice number is the 0-based voxel index, as in the readout (file z is the axial slice).
    expect((await readout(page)).voxel[2], 'the readout follows, with the same number').toBe(start + 1)
    await page.keyboard.press('PageDown')
    await expect.poll(at).toBe(start - 9)
    await page.getByTestId('slice-axial').fill('5')
    await expect(number).toHaveText('Ax 5 (0–39)')
    await expect(page.getByTestId('slice-convention')).toHaveText('slice, 0-based')
    await expect(page.getByTestId('cursor-readout')).toContainText('voxel (i, j, k), 0-based')
    expect((await readout(page)).voxel[2]).toBe(5)

    // Zoom in, then reset: back to the same picture. Crosshair hidden, then shown again.
    const before = await settledCanvas(page)
    await page.getByTestId('zoom-in').click()
    await expect.poll(async () => changedPixels(before, await canvasImage(page)).length).toBeGreaterThan(5000)
    await page.getByTestId('zoom-reset').click()
    await expect.poll(async () => changedPixels(before, await canvasImage(page)).length).toBe(0)
    await page.keyboard.press('x')
    await expect(page.getByTestId('crosshair-toggle')).toHaveAttribute('aria-pressed', 'false')
    await expect.poll(async () => changedPixels(before, await canvasImage(page)).length).toBeGreaterThan(100)
    await page.getByTestId('crosshair-toggle').click()
    await expect.poll(async () => changedPixels(before, await canvasImage(page)).length).toBe(0)

    // "?" lists the shortcuts; Escape closes the list.
    await page.keyboard.press('?')
    await expect(page.getByTestId('shortcuts')).toContainText('Page Up / Page Down')
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('shortcuts')).toHaveCount(0)

    // Every size from 1024×640 up, and back after shrinking: nothing outside the window.
    await page.getByTestId('view-multiplanar').click()
    for (const [width, height] of [[1280, 720], [1024, 640], [1280, 720], [1600, 900], [1024, 640]]) {
      await page.setViewportSize({ width, height })
      await expect.poll(async () => (await page.locator('[data-testid=viewer] canvas').boundingBox())!.height)
        .toBeLessThanOrEqual(height)
      await expectFits(page, `${width}×${height}`)
    }
  })
