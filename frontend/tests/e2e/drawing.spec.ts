import { expect, test } from '@playwright/test'
import { blend, colourAt, flatCaseToDrawOn, job, near, pen, readout, serverMask, session, swatchColor } from './helpers'

test('drawing: a new mask, pen and eraser on it, Ctrl+Z, discard; overlay colour and opacity on the canvas',
  async ({ page, request }) => {
    // A uniform 100 HU volume: under the soft-tissue window every image pixel is the same gray.
    const base = await flatCaseToDrawOn(page)
    const rows = page.getByTestId('result-row')
    const spot: [number, number] = [30, 40] // inside the disc below, clear of the crosshair lines
    await expect.poll(() => colourAt(page, ...spot)).toEqual(base)
    const draw = pen(page)

    // A new mask: a filled disc, saved as a result, shown in its colour at opacity 0.5.
    await page.getByTestId('draw-target').selectOption('new')
    await page.getByTestId('draw-start').click()
    await page.getByTestId('draw-filled').click()
    await expect(page.getByTestId('draw-filled')).toHaveClass(/active/)
    await draw.loop(0, 0, 100)
    await expect.poll(() => colourAt(page, ...spot), { message: 'the drawing shows while drawing' }).not.toEqual(base)
    await page.getByTestId('draw-save').click()
    await expect(page.getByTestId('save-name-input')).toHaveValue('new mask') // the name is asked
    await page.getByTestId('save-name-ok').click()
    await expect(rows).toHaveCount(2)
    await expect(rows.nth(1)).toHaveAttribute('data-name', 'new mask')
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '1', { timeout: 60_000 })
    await expect(page.getByTestId('draw-start')).toBeVisible()
    await rows.nth(1).getByTestId('result-goto').click() // the crosshair on the drawn slice
    const color = await swatchColor(page, 1)
    await expect.poll(async () => near(await colourAt(page, ...spot), blend(base, color, 0.5)),
      { message: `disc at opacity 0.5: ${await colourAt(page, ...spot)} vs ${blend(base, color, 0.5)}` }).toBe(true)
    // Opacity: the overlay blends differently at 0.2 and at 0.9; hidden, the pixel is the image's gray.
    for (const opacity of [0.2, 0.9]) {
      await rows.nth(1).getByTestId('result-opacity').fill(String(opacity))
      await expect.poll(async () => near(await colourAt(page, ...spot), blend(base, color, opacity)),
        { message: `disc at opacity ${opacity}` }).toBe(true)
    }
    await rows.nth(1).getByTestId('result-visible').uncheck()
    await expect.poll(() => colourAt(page, ...spot)).toEqual(base)
    await rows.nth(1).getByTestId('result-visible').check()
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '1', { timeout: 60_000 })
    await expect.poll(async () => near(await colourAt(page, ...spot), blend(base, color, 0.9)),
      { message: 'shown again at the opacity it had' }).toBe(true)

    // Edit the disc: a pen line beside it on the left half of the view, an eraser line across it,
    // and a second pen line on the right half that Ctrl+Z takes back. Saved as a new result "new
    // mask (edited)". First, the file column under the pointer 200 px left of the centre, from
    // the crosshair readout (a click while not drawing; its lines stay clear of the spot above).
    const before = await readout(page)
    await draw.click(-200, -60)
    await expect.poll(async () => (await readout(page)).voxel.join()).not.toBe(before.voxel.join())
    const penColumn = (await readout(page)).voxel[0]
    const { jobIds } = await session(page)
    const jobId = jobIds[0]
    const discIndex = Number(await rows.nth(1).getAttribute('data-index'))
    await page.getByTestId('draw-target').selectOption(`${jobId}-${discIndex}`)
    await page.getByTestId('draw-start').click()
    await expect(page.getByTestId('draw-pen')).toHaveClass(/active/)
    // While it is edited, the disc's own overlay is hidden (only the drawing shows it).
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '0')
    await expect(rows.nth(1)).toHaveAttribute('data-state', 'editing')
    await page.getByTestId('draw-size').fill('1') // one voxel: the lines below are one voxel wide
    await expect(page.getByTestId('convention')).toHaveAttribute('data-value', 'radiological')
    await draw.stroke([[-200, -80], [-200, 80]], 4)
    await page.getByTestId('draw-eraser').click()
    await expect(page.getByTestId('draw-eraser')).toHaveClass(/active/)
    await draw.stroke([[-150, 10], [150, 10]], 4)
    await page.getByTestId('draw-pen').click()
    await draw.stroke([[250, -80], [250, 80]], 4)
    await page.keyboard.press('Control+z')
    await page.getByTestId('draw-save').click()
    await expect(page.getByTestId('save-name-input')).toHaveValue('new mask (edited)')
    await page.getByTestId('save-name-ok').click()
    await expect(rows).toHaveCount(3)
    await expect(rows.nth(2)).toHaveAttribute('data-name', 'new mask (edited)')
    expect(await swatchColor(page, 2), 'the edited mask keeps the colour of the one it came from').toEqual(color)
    const results = (await job(request, jobId)).results
    const editedIndex = Number(await rows.nth(2).getAttribute('data-index'))
    const disc = await serverMask(request, jobId, discIndex)
    const edited = await serverMask(request, jobId, editedIndex)
    const [nx, ny] = disc.dims
    const xyz = (p: number) => [p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))]
    const added: number[][] = []
    const removed: number[][] = []
    const discVoxels: number[][] = []
    disc.voxels.forEach((v, p) => {
      if (v) discVoxels.push(xyz(p))
      if (edited.voxels[p] && !v) added.push(xyz(p))
      if (v && !edited.voxels[p]) removed.push(xyz(p))
    })
    const xs = discVoxels.map(([x]) => x)
    const [discLo, discHi] = [Math.min(...xs), Math.max(...xs)]
    const discSlice = discVoxels[0][2]
    expect(new Set(discVoxels.map(([, , z]) => z)).size, 'the disc lies on one slice').toBe(1)
    // The pen line: voxels beside the disc on the side the pointer was. Radiological (the app's
    // default): the left half of the view is the patient's right, the low file x of this LAS
    // volume; the line lies in the column the readout gave for the pointer 200 px left of the
    // centre. The undone line (right half) left nothing.
    expect(added.length, 'voxels added by the pen').toBeGreaterThan(5)
    expect(added.every(([, , z]) => z === discSlice)).toBe(true)
    const sides = new Set(added.map(([x]) => (x < discLo ? 'low' : x > discHi ? 'high' : 'inside')))
    expect([...sides], 'pen voxels only left of the disc on screen: low file x (Ctrl+Z undid the other line)')
      .toEqual(['low'])
    const lineXs = new Set(added.map(([x]) => x))
    expect(lineXs.size, 'one vertical line').toBeLessThanOrEqual(2)
    expect(penColumn, 'the pointer was left of the disc: low file x').toBeLessThan(discLo)
    for (const x of lineXs) expect(Math.abs(x - penColumn), `pen column ${x}, pointer over ${penColumn}`).toBeLessThanOrEqual(1)
    // The eraser line: voxels taken out of the disc along one row.
    expect(removed.length, 'voxels erased').toBeGreaterThan(5)
    expect(new Set(removed.map(([, y]) => y)).size, 'one horizontal line').toBeLessThanOrEqual(2)
    const discResult = results.find((r) => r.index === discIndex)!
    const editedResult = results.find((r) => r.index === editedIndex)!
    expect(editedResult.source).toBe('edited')
    expect(editedResult.voxels).toBe(discResult.voxels + added.length - removed.length)
    await expect(rows.nth(2).getByTestId('result-stats')).toContainText(`${editedResult.voxels.toLocaleString('en-US')} vox`)

    // Discard: a drawing shows while drawing, and is gone (nothing saved) after discard.
    for (const i of [1, 2]) await rows.nth(i).getByTestId('result-visible').uncheck()
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '0')
    await expect.poll(() => colourAt(page, ...spot)).toEqual(base)
    await page.getByTestId('draw-target').selectOption('new')
    await page.getByTestId('draw-start').click()
    await page.getByTestId('draw-filled').click()
    await draw.loop(0, 0, 100)
    await expect.poll(() => colourAt(page, ...spot), { message: 'the drawing shows while drawing' }).not.toEqual(base)
    await page.getByTestId('draw-discard').click()
    await expect(page.getByTestId('draw-start')).toBeVisible()
    await expect.poll(() => colourAt(page, ...spot), { message: 'the discarded drawing is gone' }).toEqual(base)
    await expect(rows).toHaveCount(3)
    expect((await job(request, jobId)).results).toHaveLength(3)
  })
