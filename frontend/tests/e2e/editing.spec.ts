import { expect, test, type Page } from '@playwright/test'
import { caseWithOneHiddenRun, countNonZero, job, serverMask, pen, session, swatchColor } from './helpers'
import { makeVolumeFrom } from './nifti'

// 64×64×32 at 1×1×2 mm, stored LAS; file x < 32 is 100, the rest 500 (for intensity-limited painting).
const volume = () => makeVolumeFrom([64, 64, 32], [1, 1, 2], (x) => (x < 32 ? 100 : 500))
const [NX, NY] = [64, 64]

/** Save the drawing under ``name`` (the app asks for it). */
async function saveAs(page: Page, name: string) {
  await page.getByTestId('draw-save').click()
  await page.getByTestId('save-name-input').fill(name)
  await page.getByTestId('save-name-ok').click()
  await expect(page.getByTestId('result-row').filter({ has: page.locator(`[data-name="${name}"]`) }).or(
    page.locator(`[data-testid=result-row][data-name="${name}"]`))).toHaveCount(1)
}

const xyz = (p: number) => [p % NX, Math.floor(p / NX) % NY, Math.floor(p / (NX * NY))]

test('editing: brush size in mm, one-stroke erasing, filled eraser, intensity limits, 3D ball; delete asks and undo restores',
  async ({ page, request }) => {
    await page.setViewportSize({ width: 1280, height: 720 })
    await caseWithOneHiddenRun(page, 'edit.nii.gz', volume(), [64, 64, 32])
    const rows = page.getByTestId('result-row')
    await page.getByTestId('view-axial').click()
    const { jobIds: [jobId] } = await session(page)
    const indexOf = async (name: string) => Number(await page.locator(`[data-testid=result-row][data-name="${name}"]`)
      .getAttribute('data-index'))
    const draw = pen(page)

    // A block: a filled outline drawn with a 1 mm brush.
    await page.getByTestId('draw-target').selectOption('new')
    await page.getByTestId('draw-start').click()
    await page.getByTestId('draw-size').fill('1')
    await page.getByTestId('draw-filled').click()
    await draw.square(150)
    await saveAs(page, 'block')
    const block = await serverMask(request, jobId, await indexOf('block'))
    const blockVoxels = countNonZero(block.voxels)
    expect(blockVoxels, 'a block of about 34 mm square').toBeGreaterThan(600)

    // One stroke of a 10 mm eraser across it takes out a band 10 mm high (11 voxel centres within 5 mm).
    await page.getByTestId('draw-target').selectOption(`${jobId}-${await indexOf('block')}`)
    await page.getByTestId('draw-start').click()
    await page.getByTestId('draw-eraser').click()
    await page.getByTestId('draw-size').fill('10')
    await draw.stroke([[-260, 0], [0, 0], [260, 0]], 3)
    await saveAs(page, 'block cut')
    const cut = await serverMask(request, jobId, await indexOf('block cut'))
    const perColumn = new Map<number, number>()
    block.voxels.forEach((v, p) => {
      if (v && !cut.voxels[p]) perColumn.set(xyz(p)[0], (perColumn.get(xyz(p)[0]) ?? 0) + 1)
    })
    expect(cut.voxels.every((v, p) => !v || block.voxels[p]), 'the eraser adds nothing').toBe(true)
    const columns = [...perColumn.values()]
    expect(columns.length, 'the band crosses the whole block').toBeGreaterThan(25)
    expect(columns.filter((n) => n === 11).length / columns.length, 'a band 11 voxels (10 mm) high').toBeGreaterThan(0.9)
    expect(Math.max(...columns)).toBe(11)
    expect(blockVoxels - countNonZero(cut.voxels)).toBe(columns.reduce((a, b) => a + b, 0))
    expect(await swatchColor(page, 2), 'the edited mask keeps its colour').toEqual(await swatchColor(page, 1))
    // What the reviewer changed: the cut against the block it was drawn from (the cut lies inside it).
    const cutVoxels = countNonZero(cut.voxels)
    const review = page.locator('[data-testid=result-row][data-name="block cut"]').getByTestId('result-review')
    await expect(review).toContainText('from block:')
    expect(Number(await review.getAttribute('data-dice'))).toBeCloseTo(2 * cutVoxels / (blockVoxels + cutVoxels), 3)
    expect(Number(await review.getAttribute('data-hd95')), 'the band is 5 mm deep on either side').toBeGreaterThan(0)
    await expect(page.locator('[data-testid=result-row][data-name="block"]').getByTestId('result-review')).toHaveCount(0)

    // The filled eraser empties what it encloses.
    await page.getByTestId('draw-target').selectOption(`${jobId}-${await indexOf('block')}`)
    await page.getByTestId('draw-start').click()
    await page.getByTestId('draw-filled-eraser').click()
    await page.getByTestId('draw-size').fill('1')
    await draw.square(60)
    await saveAs(page, 'block hollow')
    const hollow = await serverMask(request, jobId, await indexOf('block hollow'))
    const removed = blockVoxels - countNonZero(hollow.voxels)
    expect(removed, 'a square of about 14 mm emptied').toBeGreaterThan(120)
    expect(removed).toBeLessThan(300)

    // Painting limited to 0..200: a filled outline across both halves paints only the 100 half.
    await page.getByTestId('draw-target').selectOption('new')
    await page.getByTestId('draw-start').click()
    await page.getByTestId('draw-filled').click()
    await page.getByTestId('draw-limit').check()
    await page.getByTestId('draw-limit-lo').fill('0')
    await page.getByTestId('draw-limit-hi').fill('200')
    await draw.square(150)
    await saveAs(page, 'limited')
    const limited = await serverMask(request, jobId, await indexOf('limited'))
    const painted: number[][] = []
    limited.voxels.forEach((v, p) => { if (v) painted.push(xyz(p)) })
    expect(painted.length, 'the 100 half of the square').toBeGreaterThan(250)
    expect(painted.every(([x]) => x < 32), 'nothing painted where the image is 500').toBe(true)

    // A 10 mm ball: one click paints 5 slices of 2 mm (centres within 5 mm), a disc of 10 mm in the middle one.
    await page.getByTestId('draw-target').selectOption('new')
    await page.getByTestId('draw-start').click()
    await page.getByTestId('draw-limit').uncheck()
    await page.getByTestId('draw-size').fill('10')
    await page.getByTestId('draw-ball').check()
    await draw.click(30, 30)
    await saveAs(page, 'ball')
    const ball = await serverMask(request, jobId, await indexOf('ball'))
    const bySlice = new Map<number, number>()
    ball.voxels.forEach((v, p) => { if (v) bySlice.set(xyz(p)[2], (bySlice.get(xyz(p)[2]) ?? 0) + 1) })
    expect(bySlice.size, 'slices touched by the ball').toBe(5)
    expect(Math.max(...bySlice.values()), 'its middle disc').toBe(Math.max(...[...bySlice.values()]))
    expect(Math.max(...bySlice.values())).toBeGreaterThan(70)

    // Delete asks first; Cancel keeps the mask; Undo stores it again with its name, colour and voxels.
    const cutRow = page.locator('[data-testid=result-row][data-name="block cut"]')
    const cutIndex = await indexOf('block cut')
    const cutColour = await swatchColor(page, 2)
    const names = async () => rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-name')))
    const before = await names()
    await cutRow.getByTestId('result-delete').click()
    await expect(page.getByTestId('delete-confirm')).toContainText('Delete “block cut” from the server?')
    await page.getByTestId('delete-confirm-cancel').click()
    await expect(cutRow).toHaveCount(1)
    expect((await job(request, jobId)).results.map((r) => r.index)).toContain(cutIndex)
    await cutRow.getByTestId('result-delete').click()
    await page.getByTestId('delete-confirm-ok').click()
    await expect(cutRow).toHaveCount(0)
    expect((await request.get(`/api/jobs/${jobId}/masks/${cutIndex}.nii.gz`)).status()).toBe(404)
    await expect(page.getByTestId('undo-delete')).toContainText('Deleted “block cut”.')
    await page.getByTestId('undo-button').click()
    await expect(cutRow).toHaveCount(1)
    await expect(page.getByTestId('undo-delete')).toHaveCount(0)
    const restoredIndex = await indexOf('block cut')
    expect(restoredIndex, 'its index (label value) back').toBe(cutIndex)
    expect(await names(), 'at its place').toEqual(before)
    await expect(cutRow.getByTestId('result-review'), 'its review recomputed').toContainText('from block:')
    const restored = await serverMask(request, jobId, restoredIndex)
    expect(Buffer.from(restored.voxels).equals(Buffer.from(cut.voxels)), 'the same voxels').toBe(true)
    const result = (await job(request, jobId)).results.find((r) => r.index === restoredIndex)!
    expect((result as unknown as { color: number[] }).color).toEqual(cutColour)
    expect(await swatchColor(page, 2)).toEqual(cutColour)
  })
