import { expect, test, type Page } from '@playwright/test'
import { caseWithOneHiddenRun, countNonZero, pen, readout, serverMask, session } from './helpers'
import { makeVolumeFrom, type Decoded } from './nifti'

// Fill between slices: discs drawn on axial slices K and K + 4, the slices between filled by
// shape-based interpolation (a preview, accepted or undone), checked in the masks the server keeps.
const [NX, NY, NZ] = [64, 64, 16]
const K = 5
const volume = () => makeVolumeFrom([NX, NY, NZ], [1, 1, 2], () => 40)

/** Voxel count and centroid (file x, y) of file slice z. */
function slice(mask: Decoded, z: number) {
  let [n, cx, cy] = [0, 0, 0]
  for (let y = 0; y < NY; y++) {
    for (let x = 0; x < NX; x++) {
      if (!mask.voxels[x + y * NX + z * NX * NY]) continue
      n++
      cx += x
      cy += y
    }
  }
  return { n, cx: cx / n, cy: cy / n }
}

async function saveAs(page: Page, name: string) {
  await page.getByTestId('draw-save').click()
  await page.getByTestId('save-name-input').fill(name)
  await page.getByTestId('save-name-ok').click()
  await expect(page.locator(`[data-testid=result-row][data-name="${name}"]`)).toHaveCount(1)
}

async function showAxialSlice(page: Page, z: number) {
  await page.getByTestId('slice-axial').fill(String(z))
  await expect.poll(async () => (await readout(page)).voxel[2], { message: `file slice ${z} shown` }).toBe(z)
}

/** A disc of ``mm`` diameter on axial slice z, centred ``dx`` px right of the canvas centre. */
async function disc(page: Page, z: number, mm: number, dx: number) {
  await showAxialSlice(page, z)
  await page.getByTestId('draw-size').fill(String(mm))
  await pen(page).stroke([[dx, 0], [dx + 1, 0]])
}

test('fill between slices: discs on slices K and K+4 fill K+1..K+3 with discs in between; preview, accept, undo',
  async ({ page, request }) => {
    await caseWithOneHiddenRun(page, 'fill.nii.gz', volume(), [64, 64, 16])
    await page.getByTestId('view-axial').click()
    const { jobIds: [jobId] } = await session(page)
    const saved = async (name: string) => serverMask(request, jobId,
      Number(await page.locator(`[data-testid=result-row][data-name="${name}"]`).getAttribute('data-index')))

    // A 24 mm disc on slice K, a 10 mm one on K + 4 further right; nothing to fill with one slice drawn.
    await page.getByTestId('draw-target').selectOption('new')
    await page.getByTestId('draw-start').click()
    await disc(page, K, 24, -60)
    await page.getByTestId('draw-interpolate').click()
    await expect(page.getByTestId('draw-interpolate-none')).toBeVisible()
    await disc(page, K + 4, 10, 60)
    // Filled, accepted, then undone: one undo takes the whole fill out.
    await page.getByTestId('draw-interpolate').click()
    await expect(page.getByTestId('draw-interpolate-pending')).toContainText(`slices ${K + 1}–${K + 3}`)
    await page.getByTestId('draw-interpolate-accept').click()
    await expect(page.getByTestId('draw-interpolate-pending')).toHaveCount(0)
    await page.getByTestId('draw-undo').click()
    await saveAs(page, 'two discs')
    const two = await saved('two discs')
    expect(two.dims).toEqual([NX, NY, NZ])
    const [a, b] = [slice(two, K), slice(two, K + 4)]
    expect(a.n, 'a 24 mm disc: about 450 voxels').toBeGreaterThan(350)
    expect(b.n, 'a 10 mm disc: about 80 voxels').toBeGreaterThan(50)
    expect(b.n).toBeLessThan(a.n / 3)
    expect(countNonZero(two.voxels), 'nothing but the two discs: the undone fill is not saved').toBe(a.n + b.n)

    // The saved two discs edited again: fill (a preview), undo, fill again, accept, save.
    const twoIndex = await page.locator('[data-testid=result-row][data-name="two discs"]').getAttribute('data-index')
    await page.getByTestId('draw-target').selectOption(`${jobId}-${twoIndex}`)
    await page.getByTestId('draw-start').click()
    await showAxialSlice(page, K + 2) // any axial slice: the axis is the view's
    await page.getByTestId('draw-interpolate').click()
    const pending = page.getByTestId('draw-interpolate-pending')
    await expect(pending).toBeVisible()
    await page.getByTestId('draw-undo').click()
    await expect(pending).toHaveCount(0)
    await page.getByTestId('draw-interpolate').click()
    await expect(pending).toContainText(`slices ${K + 1}–${K + 3}`)
    const previewVoxels = Number(await pending.getAttribute('data-voxels'))
    await page.getByTestId('draw-interpolate-accept').click()
    await saveAs(page, 'filled')
    const filled = await saved('filled')
    expect(slice(filled, K).n, 'the drawn slices unchanged').toBe(a.n)
    expect(slice(filled, K + 4).n).toBe(b.n)
    let last = a
    let total = a.n + b.n
    for (let z = K + 1; z <= K + 3; z++) {
      const s = slice(filled, z)
      const t = (z - K) / 4
      expect(s.n, `slice ${z} smaller than slice ${z - 1}`).toBeLessThan(last.n)
      expect(s.n, `slice ${z} larger than slice ${K + 4}`).toBeGreaterThan(b.n)
      // Centred between the two discs: on the line between their centres, at its share of the way.
      expect(Math.abs(s.cx - (a.cx + t * (b.cx - a.cx))), `slice ${z}'s centre x ${s.cx}`).toBeLessThan(1)
      expect(Math.abs(s.cy - (a.cy + t * (b.cy - a.cy))), `slice ${z}'s centre y ${s.cy}`).toBeLessThan(1)
      last = s
      total += s.n
    }
    for (const z of [...Array(NZ).keys()].filter((z) => z < K || z > K + 4)) expect(slice(filled, z).n, `slice ${z}`).toBe(0)
    expect(countNonZero(filled.voxels)).toBe(total)
    expect(total - a.n - b.n, 'the voxels the preview named').toBe(previewVoxels)
  })
