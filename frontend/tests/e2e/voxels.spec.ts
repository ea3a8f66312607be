import { expect, test, type Page } from '@playwright/test'
import { caseWithOneHiddenRun, pen, pixel, readout, serverMask, session, settledCanvas } from './helpers'
import { makeVolumeFrom } from './nifti'

// Voxel-exact interaction: a click in a view never changes that view's slice, the crosshair sits on
// a voxel, a pen stroke lands on the slice shown and under the pointer, a reload restores the voxel.
// Even slice counts on purpose: the middle of the volume is then a border between two slices.

type Srow = number[][]
interface Case {
  name: string
  dims: [number, number, number]
  spacing: [number, number, number]
  srow: Srow
  orientation: RegExp
}

/** Rows of the sform: rotation ``rz`` degrees about S, then ``rx`` about R, times the spacing. */
function oblique(spacing: number[], rz: number, rx: number, origin: number[]): Srow {
  const [cz, sz, cx, sx] = [Math.cos(rz * Math.PI / 180), Math.sin(rz * Math.PI / 180), Math.cos(rx * Math.PI / 180),
    Math.sin(rx * Math.PI / 180)]
  const Rz = [[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]]
  const Rx = [[1, 0, 0], [0, cx, -sx], [0, sx, cx]]
  const R = Rx.map((row) => [0, 1, 2].map((j) => row.reduce((a, v, k) => a + v * Rz[k][j], 0)))
  return R.map((row, i) => [...row.map((v, j) => v * spacing[j]), origin[i]])
}

const CASES: Case[] = [
  { name: 'anisotropic RAS', dims: [48, 48, 16], spacing: [0.703125, 0.703125, 2.5],
    srow: [[0.703125, 0, 0, -168.6484375], [0, 0.703125, 0, -179.3515625], [0, 0, 2.5, -312.7]], orientation: /RAS/ },
  { name: 'oblique', dims: [48, 40, 20], spacing: [1, 1, 1.5], srow: oblique([1, 1, 1.5], 20, 12, [-25, -20, -15]),
    orientation: /[LR][AP][SI]/ },
  { name: 'LAS', dims: [48, 40, 18], spacing: [0.9, 0.9, 2], srow: [[-0.9, 0, 0, 123.45], [0, 0.9, 0, -71.3], [0, 0, 2, -1033.1]],
    orientation: /LAS/ },
]

const axialSlice = async (page: Page) => Number(await page.getByTestId('slice-axial').inputValue())

/** The axial slice shown, as the slice bar says it (0-based) and as its slider holds it. */
async function expectAxialSlice(page: Page, index: number, why: string) {
  await expect(page.getByTestId('slice-axial'), why).toHaveValue(String(index))
  await expect(page.getByTestId('slice-number-axial'), why).toHaveText(new RegExp(`^Ax ${index} \\(0–\\d+\\)$`))
}

/** Click at (dx, dy) px from the canvas centre and wait for the readout to follow. */
async function clickAt(page: Page, dx: number, dy: number) {
  const before = (await readout(page)).voxel.join()
  await pen(page).click(dx, dy)
  await expect.poll(async () => (await readout(page)).voxel.join(), { message: `a click at ${dx},${dy} moves the crosshair` })
    .not.toBe(before)
  return (await readout(page)).voxel
}

/** The crosshair on the centre of the voxel the readout names: its world mm are the sform's image of that voxel. */
async function expectOnVoxelCentre(page: Page, srow: Srow, why: string) {
  const { mm, voxel } = await readout(page)
  const centre = srow.map((row) => row[0] * voxel[0] + row[1] * voxel[1] + row[2] * voxel[2] + row[3])
  const off = Math.max(...centre.map((c, i) => Math.abs(c - mm[i])))
  expect(off, `${why}: the crosshair at ${mm.map((v) => v.toFixed(3))} mm, voxel ${voxel} is centred at ${centre.map((v) => v.toFixed(3))}`)
    .toBeLessThan(0.01)
}

const PLANES = ['axial', 'coronal', 'sagittal'] as const
type PlaneName = typeof PLANES[number]

/** The slice index each plane shows (the slice bar's sliders, 0-based). */
async function slices(page: Page): Promise<Record<PlaneName, number>> {
  const values = await Promise.all(PLANES.map(async (p) => Number(await page.getByTestId(`slice-${p}`).inputValue())))
  return { axial: values[0], coronal: values[1], sagittal: values[2] }
}

/**
 * Multiplanar: clicks on a grid over the canvas. A click in a 2D tile moves the crosshair within
 * that tile's plane: the other two planes' slices may change, never the tile's own (so never all
 * three). Every 2D tile is hit at least once (its plane the one that stayed while others moved).
 */
async function clickAcrossTiles(page: Page) {
  const box = (await page.locator('[data-testid=viewer] canvas').boundingBox())!
  // The slices known (a case opening shows none until its volume is on screen; a slider reads 0 then)
  for (const p of PLANES) await expect(page.getByTestId(`slice-${p}`), `the ${p} slice known`).toBeEnabled({ timeout: 30_000 })
  const hit = new Set<PlaneName>()
  for (const row of [0.15, 0.35, 0.55, 0.75]) {
    for (const [i, fx] of [0.2, 0.4, 0.6, 0.8].entries()) {
      const fy = row + 0.04 * i // side-by-side tiles share rows: a new row each time, so both planes move
      const before = await slices(page)
      await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height)
      await page.waitForTimeout(250)
      const after = await slices(page)
      const changed = PLANES.filter((p) => after[p] !== before[p])
      expect(changed.length, `a click at ${fx},${fy} of the canvas changed the slices ${JSON.stringify(before)} -> ${JSON.stringify(after)}`)
        .toBeLessThanOrEqual(2)
      if (changed.length) for (const p of PLANES.filter((q) => !changed.includes(q))) if (changed.length === 2) hit.add(p)
    }
  }
  expect([...hit].sort(), 'each 2D tile was clicked').toEqual([...PLANES].sort())
}

for (const c of CASES) {
  test(`voxels (${c.name}): a click keeps the view's slice, a pen stroke lands on it under the pointer, reload restores the voxel`,
    async ({ page, request }) => {
      const [nx, ny, nz] = c.dims
      const body = makeVolumeFrom(c.dims, c.spacing, (x, y, z) => 40 + ((x * 7 + y * 13 + z * 29) % 50), c.srow)
      await caseWithOneHiddenRun(page, `${c.name}.nii.gz`, body, [nx, ny, nz])
      await expect(page.getByTestId('volume-info')).toHaveText(c.orientation)
      await page.getByTestId('view-multiplanar').click()
      await clickAcrossTiles(page)
      await page.getByTestId('view-axial').click()

      // The crosshair sits on a voxel from the start, and a click moves it in the plane only.
      const slice = await axialSlice(page)
      const start = await readout(page)
      expect(start.voxel.every(Number.isInteger), `voxel ${start.voxel}`).toBe(true)
      await expectOnVoxelCentre(page, c.srow, 'at the start')
      for (const [dx, dy] of [[-110, -70], [90, 60], [-40, 100]]) {
        await clickAt(page, dx, dy)
        await expectAxialSlice(page, slice, `after a click at ${dx},${dy}`)
        await expectOnVoxelCentre(page, c.srow, `after a click at ${dx},${dy}`)
        expect((await readout(page)).voxel[2], 'the file slice under the crosshair').toBe(start.voxel[2])
      }
      // A drag (crosshair mode) keeps the slice too.
      await pen(page).stroke([[-60, 20], [-20, 30], [30, 40]], 2)
      await expectAxialSlice(page, slice, 'after a drag')

      // The voxels under the two ends of the stroke, from the readout of a click on each.
      const [a, b]: [number, number][] = [[-100, -50], [60, -50]]
      const end = await clickAt(page, ...b)
      const first = await clickAt(page, ...a)
      await expectAxialSlice(page, slice, 'before drawing')

      // A 1 mm pen stroke from a to b, saved as a mask: on the slice shown, starting and ending under the pointer.
      await page.getByTestId('draw-target').selectOption('new')
      await page.getByTestId('draw-start').click()
      await page.getByTestId('draw-size').fill('0.5')
      await pen(page).stroke([a, b], 4)
      await expectAxialSlice(page, slice, 'after the stroke')
      // On screen (crosshair hidden): the pixels under both ends of the stroke are painted (coloured, not grey).
      await page.getByTestId('crosshair-toggle').click()
      await expect(page.getByTestId('crosshair-toggle')).toHaveAttribute('aria-pressed', 'false')
      const image = await settledCanvas(page)
      for (const [dx, dy] of [a, b]) {
        const [r, g, bl] = pixel(image, image.width / 2 + dx, image.height / 2 + dy)
        expect(Math.max(r, g, bl) - Math.min(r, g, bl), `the pixel under ${dx},${dy} is painted: ${[r, g, bl]}`).toBeGreaterThan(40)
      }
      await page.getByTestId('crosshair-toggle').click()
      await page.getByTestId('draw-save').click()
      await page.getByTestId('save-name-input').fill('stroke')
      await page.getByTestId('save-name-ok').click()
      const row = page.locator('[data-testid=result-row][data-name="stroke"]')
      await expect(row).toHaveCount(1)
      const { jobIds: [jobId] } = await session(page)
      const mask = await serverMask(request, jobId, Number(await row.getAttribute('data-index')))
      expect(mask.dims).toEqual([nx, ny, nz])
      const voxels: number[][] = []
      mask.voxels.forEach((v, p) => {
        if (v) voxels.push([p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))])
      })
      const key = (v: number[]) => v.join()
      expect(voxels.length, 'the stroke painted voxels').toBeGreaterThan(3)
      expect(voxels.filter((v) => v[2] !== first[2]).map(key), `every voxel on file slice ${first[2]}`).toEqual([])
      const painted = new Set(voxels.map(key))
      expect(painted.has(key(first)), `the stroke's first voxel ${first} is painted: ${voxels.slice(0, 8).map(key).join(' ')}`).toBe(true)
      expect(painted.has(key(end)), `the stroke's last voxel ${end} is painted`).toBe(true)
      // A line of single voxels between them: nothing painted outside their box.
      const outside = voxels.filter((v) => [0, 1].some((k) => v[k] < Math.min(first[k], end[k]) || v[k] > Math.max(first[k], end[k])))
      expect(outside.map(key), 'voxels outside the stroke').toEqual([])

      // A reload restores the exact voxel and slice.
      await clickAt(page, 20, 80)
      const before = await readout(page)
      const shown = await axialSlice(page)
      await page.waitForTimeout(600) // the crosshair is kept once it has rested for 300 ms
      await page.reload()
      await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', /.+/, { timeout: 60_000 })
      await expect.poll(async () => (await readout(page)).voxel.join(), { message: 'the voxel after a reload' })
        .toBe(before.voxel.join())
      await expectOnVoxelCentre(page, c.srow, 'after a reload')
      await page.getByTestId('view-axial').click()
      await expectAxialSlice(page, shown, 'after a reload')
    })
}
