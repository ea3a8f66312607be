import { expect, test, type Page } from '@playwright/test'
import { blend, caseWithOneHiddenRun, changedPixels, near, pixel, readout, rgbOf, session, settledCanvas, typeWindow, windowed, type Rgb } from './helpers'
import type { Rgba } from './png'
import { makeVolumeFrom } from './nifti'

// 64×48×32 at 1×1×2 mm, stored LAS (file x runs from the patient's right to their left, file y
// from posterior to anterior). Each in-plane quadrant has its own intensity, and the slice is
// wider than high, so a mirror, a flip or a transposition all show.
const [NX, NY, NZ] = [64, 48, 32]
const quadrant = (x: number, y: number) => (x >= NX / 2 ? 300 : 100) + (y >= NY / 2 ? 100 : 0)
const VALUES = { rightPosterior: 100, rightAnterior: 200, leftPosterior: 300, leftAnterior: 400 }
const volume = () => makeVolumeFrom([NX, NY, NZ], [1, 1, 2], quadrant)

// An "L" on the patient's LEFT and ANTERIOR side of axial slice 16: a bar along y at the L's
// lowest file x (towards the body's middle) and a foot along x at its lowest y (posterior end).
const SLICE = 16
const inL = (x: number, y: number) => (x >= 38 && x <= 41 && y >= 28 && y <= 45) || (x >= 38 && x <= 55 && y >= 28 && y <= 31)
const mask = () => makeVolumeFrom([NX, NY, NZ], [1, 1, 2], (x, y, z) => (z === SLICE && inL(x, y) ? 1 : 0))
const MAGENTA: Rgb = [255, 0, 255]
const [LEVEL, WIDTH] = [200, 800]

interface Rect { left: number; top: number; right: number; bottom: number }

/** Where the axial slice lies on the canvas: the columns and rows mostly showing one of its four
 * grays (the scale bar and the orientation letters drawn over or beside it are thin). */
function imageRect(image: Rgba): Rect {
  const grays = Object.values(VALUES).map((v) => windowed(v, LEVEL, WIDTH))
  const columns = new Array<number>(image.width).fill(0)
  const rows = new Array<number>(image.height).fill(0)
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [r, g, b] = pixel(image, x, y)
      if (r !== g || g !== b || !grays.some((gray) => Math.abs(gray - r) <= 1)) continue
      columns[x]++
      rows[y]++
    }
  }
  const span = (counts: number[], least: number): [number, number] => {
    const inside = counts.flatMap((n, i) => (n >= least ? [i] : []))
    return [inside[0], inside[inside.length - 1] + 1]
  }
  const [left, right] = span(columns, Math.max(...columns) / 2)
  const [top, bottom] = span(rows, Math.max(...rows) / 2)
  return { left, top, right, bottom }
}

/** The screen column and row of file voxel (x, y) of the axial slice: anterior up; the patient's
 * left on screen right (radiological) or on screen left (neurological). */
function cellOf(x: number, y: number, radiological: boolean): [number, number] {
  return [radiological ? x : NX - 1 - x, NY - 1 - y]
}

async function check(page: Page, convention: 'radiological' | 'neurological') {
  const radiological = convention === 'radiological'
  await expect(page.getByTestId('convention')).toHaveAttribute('data-value', convention)
  const row = page.locator('[data-testid=result-row][data-name="L"]')
  await row.getByTestId('result-visible').uncheck()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '0')
  const bare = await settledCanvas(page)
  await row.getByTestId('result-visible').check()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '1', { timeout: 60_000 })
  const tintedIn = (image: Rgba) => changedPixels(bare, image)
    .filter((p) => near(rgbOf(image, p), blend(rgbOf(bare, p), MAGENTA, 0.5), 3))
  await expect.poll(async () => tintedIn(await settledCanvas(page)).length, { message: 'the L is drawn' }).toBeGreaterThan(100)
  const tinted = tintedIn(await settledCanvas(page))

  // The slice on screen: 64 columns by 48 rows of square cells (1×1 mm voxels).
  const rect = imageRect(bare)
  const sx = (rect.right - rect.left) / NX
  const sy = (rect.bottom - rect.top) / NY
  const where = `${convention}: slice at ${JSON.stringify(rect)}, cells ${sx.toFixed(2)}×${sy.toFixed(2)} px`
  expect(sx, `${where}: big enough to tell voxels apart`).toBeGreaterThan(4)
  expect(Math.abs(sx - sy), `${where}: square cells (not transposed)`).toBeLessThan(0.25)

  // The mask: every tinted pixel inside a cell of the predicted L (1.5 px of slack at its edges),
  // and the L's cells tinted nearly everywhere (the overlay is drawn voxel by voxel, crisp).
  const cellAt = (px: number, py: number): [number, number] => [Math.floor((px - rect.left) / sx), Math.floor((py - rect.top) / sy)]
  const predicted = new Set<string>()
  for (let y = 0; y < NY; y++) for (let x = 0; x < NX; x++) if (inL(x, y)) predicted.add(cellOf(x, y, radiological).join())
  const mirrored = new Set<string>()
  for (let y = 0; y < NY; y++) for (let x = 0; x < NX; x++) if (inL(x, y)) mirrored.add(cellOf(x, y, !radiological).join())
  const slack = 1.5
  const nearCell = (px: number, py: number, cells: Set<string>) => [[0, 0], [slack, 0], [-slack, 0], [0, slack], [0, -slack]]
    .some(([dx, dy]) => cells.has(cellAt(px + dx, py + dy).join()))
  const points = tinted.map((p) => [p % bare.width + 0.5, Math.floor(p / bare.width) + 0.5])
  const outside = points.filter(([px, py]) => !nearCell(px, py, predicted))
  const inMirror = points.filter(([px, py]) => mirrored.has(cellAt(px, py).join()) && !predicted.has(cellAt(px, py).join()))
  expect(inMirror.length, `${where}: tinted pixels where the mirrored L would be`).toBe(0)
  expect(outside.length, `${where}: tinted pixels outside the predicted L, e.g. ${outside.slice(0, 5).join(' ')}`).toBe(0)
  const area = predicted.size * sx * sy
  expect(tinted.length / area, `${where}: ${tinted.length} of the L's ${Math.round(area)} pixels tinted`).toBeGreaterThan(0.85)
  // On screen the L stands in the upper half and, radiological, the right half (the patient's left).
  const xs = points.map(([px]) => px)
  const ys = points.map(([, py]) => py)
  const centreX = (Math.min(...xs) + Math.max(...xs)) / 2
  const centreY = (Math.min(...ys) + Math.max(...ys)) / 2
  expect(centreY < (rect.top + rect.bottom) / 2, `${where}: anterior is up`).toBe(true)
  expect(centreX > (rect.left + rect.right) / 2, `${where}: the patient's left on screen ${radiological ? 'right' : 'left'}`)
    .toBe(radiological)

  // The image under it: each quadrant shows its own gray where the convention puts it.
  for (const [x, y, value] of [[8, 8, VALUES.rightPosterior], [8, 40, VALUES.rightAnterior],
    [56, 8, VALUES.leftPosterior], [56, 40, VALUES.leftAnterior]]) {
    const [col, r] = cellOf(x, y, radiological)
    const gray = pixel(bare, rect.left + (col + 0.5) * sx, rect.top + (r + 0.5) * sy)[0]
    expect(Math.abs(gray - windowed(value, LEVEL, WIDTH)), `${where}: file voxel ${x},${y} (${value}) shows ${gray}`)
      .toBeLessThanOrEqual(1)
  }
}

test('geometry: an asymmetric mask lands where the convention puts it on the canvas (radiological, then mirrored)',
  async ({ page, request }) => {
    // A finished job to hold the mask (its own result is hidden).
    await caseWithOneHiddenRun(page, 'quadrants.nii.gz', volume(), [NX, NY, NZ])
    const { jobIds: [jobId] } = await session(page)

    // The L, saved as an edited mask through the API, then loaded by the app (a reload).
    const saved = await request.post(`/api/jobs/${jobId}/masks`, { multipart: {
      file: { name: 'l.nii.gz', mimeType: 'application/gzip', buffer: mask() }, name: 'L', color: MAGENTA.join(',') } })
    expect(saved.status(), await saved.text()).toBe(201)
    const voxels = (await saved.json()).results.find((r: { name: string }) => r.name === 'L').voxels
    expect(voxels, 'the server counted the L').toBe(4 * 18 + 18 * 4 - 16)
    await page.reload()
    await expect(page.getByTestId('result-row')).toHaveCount(2)
    const row = page.locator('[data-testid=result-row][data-name="L"]')
    await expect(row).toHaveCount(1)
    await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-loaded', '', { timeout: 60_000 })

    // One axial view, on the L's slice, no crosshair lines; a window giving four distinct grays.
    await page.getByTestId('view-axial').click()
    await row.getByTestId('result-goto').click()
    await expect.poll(async () => (await readout(page)).voxel[2], { message: 'on the L\'s slice' }).toBe(SLICE)
    if ((await page.getByTestId('crosshair-toggle').getAttribute('aria-pressed')) === 'true') {
      await page.getByTestId('crosshair-toggle').click()
    }
    await expect(page.getByTestId('crosshair-toggle')).toHaveAttribute('aria-pressed', 'false')
    // The window applied as the slice is drawn, from the intensities in the file's own (LAS) order:
    // the quadrants below show whether that lookup mirrors or transposes anything.
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-live-window', 'on', { timeout: 30_000 })
    await typeWindow(page, LEVEL, WIDTH)

    await check(page, 'radiological')
    await page.getByTestId('convention').click()
    await check(page, 'neurological')
  })
