import { expect, test } from '@playwright/test'
import { countNonZero, job, serverMask, session } from './helpers'
import { makeVolumeFrom } from './nifti'

/** 6-connected components of a binary volume: a label per voxel (0 = background) and each label's size. */
function components(mask: ArrayLike<number>, dims: number[], foreground: boolean) {
  const [nx, ny, nz] = dims
  const labels = new Int32Array(mask.length)
  const sizes = [0]
  const queue = new Int32Array(mask.length)
  for (let start = 0; start < mask.length; start++) {
    if (labels[start] || Boolean(mask[start]) !== foreground) continue
    const label = sizes.length
    let head = 0
    let tail = 0
    queue[tail++] = start
    labels[start] = label
    while (head < tail) {
      const p = queue[head++]
      const x = p % nx
      const y = Math.floor(p / nx) % ny
      const z = Math.floor(p / (nx * ny))
      const next = [x > 0 ? p - 1 : -1, x < nx - 1 ? p + 1 : -1, y > 0 ? p - nx : -1, y < ny - 1 ? p + nx : -1,
        z > 0 ? p - nx * ny : -1, z < nz - 1 ? p + nx * ny : -1]
      for (const q of next) {
        if (q < 0 || labels[q] || Boolean(mask[q]) !== foreground) continue
        labels[q] = label
        queue[tail++] = q
      }
    }
    sizes.push(tail)
  }
  return { labels, sizes }
}

function onBorder(p: number, [nx, ny, nz]: number[]): boolean {
  const x = p % nx
  const y = Math.floor(p / nx) % ny
  const z = Math.floor(p / (nx * ny))
  return x === 0 || y === 0 || z === 0 || x === nx - 1 || y === ny - 1 || z === nz - 1
}

test('post-processing: keep largest component and fill holes, clicked in the app, change the result accordingly',
  async ({ page, request }) => {
    // Noise in a band of rows and two flat halves: the demo model's mask on it is fragmented and has holes.
    let seed = 1
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
    const buffer = makeVolumeFrom([64, 64, 32], [1, 1, 2], (x, y) => (y < 16 ? Math.floor(random() * 2000) : x < 32 ? -1000 : 100))
    await page.goto('/')
    await page.getByTestId('file-input').setInputFiles({ name: 'noisy.nii.gz', mimeType: 'application/gzip', buffer })
    await expect(page.getByTestId('volume-info')).toHaveText(/64×64×32/)
    const rows = page.getByTestId('result-row')
    const runLiver = async (largest: boolean, fill: boolean, expectedRows: number) => {
      await page.getByTestId('opt-largest').setChecked(largest)
      await page.getByTestId('opt-fill').setChecked(fill)
      await page.getByTestId('prompt-input').fill('liver')
      await page.getByTestId('prompt-input').press('Enter')
      await page.getByTestId('run-button').click()
      await expect(rows).toHaveCount(expectedRows, { timeout: 120_000 })
    }
    await runLiver(false, false, 1)
    await runLiver(true, false, 2)
    await runLiver(false, true, 3)

    const { jobIds } = await session(page)
    expect(jobIds).toHaveLength(3)
    const jobs = await Promise.all(jobIds.map((id) => job(request, id)))
    expect(jobs.map((j) => [j.options.keep_largest_component, j.options.fill_holes]))
      .toEqual([[false, false], [true, false], [false, true]])
    const [plain, largest, filled] = await Promise.all(jobs.map((j) => serverMask(request, j.id, 0)))
    const dims = plain.dims

    // Precondition: the plain mask has several components and at least one hole.
    const fg = components(plain.voxels, dims, true)
    expect(fg.sizes.length - 1, 'components of the plain mask').toBe(jobs[0].results[0].components)
    expect(jobs[0].results[0].components).toBeGreaterThan(1)
    await expect(rows.nth(0).getByTestId('result-detail')).toContainText(`${jobs[0].results[0].components} components`)

    // Keep largest component: exactly the plain mask's largest 6-connected component.
    const biggest = fg.sizes.indexOf(Math.max(...fg.sizes.slice(1)))
    const expectedLargest = Array.from(fg.labels, (l) => (l === biggest ? 1 : 0))
    expect(countNonZero(largest.voxels)).toBe(fg.sizes[biggest])
    expect(Array.from(largest.voxels, (v) => (v ? 1 : 0)).every((v, p) => v === expectedLargest[p])).toBe(true)
    expect(jobs[1].results[0].components).toBe(1)
    expect(jobs[1].results[0].voxels).toBeLessThan(jobs[0].results[0].voxels)
    await expect(rows.nth(1).getByTestId('result-detail')).not.toContainText('components')
    await expect(rows.nth(1).getByTestId('result-stats'))
      .toContainText(`${jobs[1].results[0].voxels.toLocaleString('en-US')} vox`)

    // Fill holes: the plain mask plus every background voxel not 6-connected to the volume's border.
    const bg = components(plain.voxels, dims, false)
    const outside = new Set<number>()
    for (let p = 0; p < bg.labels.length; p++) if (bg.labels[p] && onBorder(p, dims)) outside.add(bg.labels[p])
    const expectedFilled = Array.from(plain.voxels, (v, p) => (v || !outside.has(bg.labels[p]) ? 1 : 0))
    const holes = expectedFilled.filter((v, p) => v && !plain.voxels[p]).length
    expect(holes, 'hole voxels in the plain mask').toBeGreaterThan(0)
    expect(Array.from(filled.voxels, (v) => (v ? 1 : 0)).every((v, p) => v === expectedFilled[p])).toBe(true)
    expect(jobs[2].results[0].voxels).toBe(jobs[0].results[0].voxels + holes)
    await expect(rows.nth(2).getByTestId('result-stats'))
      .toContainText(`${jobs[2].results[0].voxels.toLocaleString('en-US')} vox`)
  })
