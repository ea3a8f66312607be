import { expect, test } from '@playwright/test'
import { changedPixels, canvasImage, grayPlateaus, job, session, settledCanvas, windowed } from './helpers'
import { holdJobs, releaseJobs } from './hold'
import { makeVolumeFrom } from './nifti'

test.afterEach(releaseJobs)

// Four bands of constant intensity along x (air, water, soft tissue, bone-ish), so every window
// setting has an exact expected gray on screen. 160x140x120: a job of 48 windows (held to be cancelled).
const BANDS = [-1000, 0, 100, 300]
const volume = () => makeVolumeFrom([160, 140, 120], [1.2, 1.0, 1.5], (x) => BANDS[Math.floor(x / 40)])

/** The grays the axial view must show for the four bands (screen order is not assumed). */
const expectedGrays = (center: number, width: number) => Array.from(new Set(BANDS.map((v) => windowed(v, center, width))))

async function bandGrays(page: import('@playwright/test').Page): Promise<number[]> {
  const image = await canvasImage(page)
  // A row clear of the horizontal crosshair line.
  return grayPlateaus(image, Math.floor(image.height / 2) + 37)
}

/** ``shown`` sorted, each value within 1 of an expected gray replaced by it (rounding in the GPU). */
function snapped(shown: number[], expected: number[]): number[] {
  return shown.map((s) => expected.find((e) => Math.abs(s - e) <= 1) ?? s).sort((a, b) => a - b)
}
const sorted = (values: number[]) => [...values].sort((a, b) => a - b)

test('views, window presets and manual window on the canvas, crosshair readout and cancel', async ({ page, request }) => {
  await page.goto('/')
  await page.getByTestId('file-input').setInputFiles({ name: 'bands.nii.gz', mimeType: 'application/gzip', buffer: volume() })
  await expect(page.getByTestId('volume-info')).toHaveText(/160×140×120/)
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })

  // Every view button changes the picture, and each view's picture is its own.
  const pictures = new Map<string, Buffer>()
  for (const view of ['axial', 'coronal', 'sagittal', 'render', 'multiplanar']) {
    await page.getByTestId(`view-${view}`).click()
    await expect(page.getByTestId(`view-${view}`)).toHaveClass(/active/)
    await expect.poll(async () => {
      const data = Buffer.from((await canvasImage(page)).data)
      return [...pictures.values()].every((other) => !other.equals(data))
    }, { message: `the ${view} view looks like an earlier one` }).toBe(true)
    pictures.set(view, Buffer.from((await settledCanvas(page)).data))
  }

  // Window presets: the bands show the grays of the preset's level and width (NiiVue's gray ramp).
  await page.getByTestId('view-axial').click()
  const presets: [string, number, number][] = [['soft tissue', 40, 400], ['lung', -600, 1500], ['bone', 400, 1800],
    ['brain', 40, 80]]
  // A CT (HU-like intensities): CT presets, soft tissue first; the fields show each preset's values.
  await expect(page.getByTestId('window-preset')).toHaveValue('soft tissue')
  await expect(page.getByTestId('window-preset').locator('option:not([disabled])'))
    .toHaveText(['soft tissue', 'lung', 'bone', 'brain', 'auto (2–98 %)', 'full range'])
  for (const [name, center, width] of presets) {
    await page.getByTestId('window-preset').selectOption(name)
    const expected = expectedGrays(center, width)
    await expect.poll(async () => snapped(await bandGrays(page), expected), { message: `${name} preset` })
      .toEqual(sorted(expected))
    await expect(page.getByTestId('window-level')).toHaveValue(String(center))
    await expect(page.getByTestId('window-width')).toHaveValue(String(width))
  }
  // Manual level/width with the apply button, then with Enter in the width box.
  await page.getByTestId('window-level').fill('100')
  await page.getByTestId('window-width').fill('200')
  await page.getByTestId('window-apply').click()
  await expect.poll(async () => snapped(await bandGrays(page), expectedGrays(100, 200))).toEqual(sorted(expectedGrays(100, 200)))
  await expect(page.getByTestId('window-preset')).toHaveValue('custom')
  await page.getByTestId('window-level').fill('40')
  await page.getByTestId('window-width').fill('400')
  await page.getByTestId('window-width').press('Enter')
  const softTissue = expectedGrays(40, 400)
  await expect.poll(async () => snapped(await bandGrays(page), softTissue)).toEqual(sorted(softTissue))
  await expect(page.getByTestId('window-preset')).toHaveValue('soft tissue')

  // A right-drag windows the image: the fields follow it and the preset box says "custom".
  const dragged = await settledCanvas(page)
  const box0 = (await page.locator('[data-testid=viewer] canvas').boundingBox())!
  await page.mouse.move(box0.x + box0.width / 2, box0.y + box0.height / 2)
  await page.mouse.down({ button: 'right' })
  await page.mouse.move(box0.x + box0.width / 2 + 45, box0.y + box0.height / 2 - 25, { steps: 3 })
  await page.mouse.up({ button: 'right' })
  await expect(page.getByTestId('window-preset')).toHaveValue('custom')
  const level = Number(await page.getByTestId('window-level').inputValue())
  const width = Number(await page.getByTestId('window-width').inputValue())
  expect([level, width], 'the fields show the dragged window').not.toEqual([40, 400])
  await expect.poll(async () => snapped(await bandGrays(page), expectedGrays(level, width)), { message: 'dragged window' })
    .toEqual(sorted(expectedGrays(level, width)))
  expect(changedPixels(dragged, await canvasImage(page)).length).toBeGreaterThan(100)
  // Back to soft tissue for the readout check.
  await page.getByTestId('window-preset').selectOption('soft tissue')

  // The crosshair readout: clicking on a band shows that band's intensity.
  const image = await settledCanvas(page)
  const y = Math.floor(image.height / 2) + 37
  const box = (await page.locator('[data-testid=viewer] canvas').boundingBox())!
  const target = windowed(100, 40, 400) // the 100 band
  let clickX = -1
  for (let x = 0, run = 0; x < image.width; x++) {
    const p = (y * image.width + x) * 4
    run = image.data[p] === target && image.data[p + 1] === target && image.data[p + 2] === target ? run + 1 : 0
    if (run === 40) clickX = x - 20
  }
  expect(clickX, 'the 100 band on screen').toBeGreaterThan(0)
  await page.mouse.click(box.x + clickX, box.y + y)
  await expect(page.getByTestId('readout-value')).toHaveText('100 HU')
  await expect(page.getByTestId('readout-mm')).toHaveText(/^-?\d+\.\d, -?\d+\.\d, -?\d+\.\d$/)
  await expect(page.getByTestId('readout-voxel')).toHaveText(/^(8\d|9\d|10\d|11\d), \d+, \d+$/) // the 100 band: file x 80..119
  // The crosshair moved: the picture differs from before the click.
  await expect.poll(async () => changedPixels(image, await canvasImage(page)).length).toBeGreaterThan(100)


  // Cancel a running job (held after its first window, however fast the machine): it stops while
  // held, no result appears, the job stays listed as cancelled (also after a reload) until
  // dismissed; the server says cancelled, with that one window done.
  await page.getByTestId('prompt-input').fill('aorta')
  await page.getByTestId('prompt-input').press('Enter')
  holdJobs(1)
  await page.getByTestId('run-button').click()
  await expect(page.getByTestId('job-status')).toHaveText('segmenting: part 2 of 48', { timeout: 120_000 })
  await page.getByTestId('cancel-button').click()
  await expect(page.getByTestId('job-row')).toHaveCount(0, { timeout: 30_000 })
  await expect(page.getByTestId('job-ended')).toHaveAttribute('data-status', 'cancelled')
  await expect(page.getByTestId('job-ended-reason')).toHaveText('cancelled')
  await expect(page.getByTestId('result-row')).toHaveCount(0)
  await expect(page.getByTestId('job-error')).toHaveCount(0)
  const { jobIds } = await session(page)
  const cancelled = await job(request, jobIds[0])
  expect([cancelled.status, cancelled.done, cancelled.total], 'cancelled while held after one window').toEqual(['cancelled', 1, 48])
  releaseJobs()
  await page.reload()
  await expect(page.getByTestId('job-ended')).toHaveAttribute('data-status', 'cancelled')
  await page.getByTestId('job-dismiss').click()
  await expect(page.getByTestId('job-ended')).toHaveCount(0)
})
