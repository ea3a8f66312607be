import { expect, test, type Page } from '@playwright/test'
import { blend, canvasImage, colourAt, flatCaseToDrawOn, job, near, pen, pixel, serverMask, session, swatchColor, type Rgb } from './helpers'

// Overlapping masks (every mask of a case is one label volume in the viewer: viewer/overlays.ts):
// where two masks overlap both show, the later one over the earlier at its opacity; hiding either
// leaves the other whole, overlap included; while one is edited the other stays on screen, and what
// the eraser takes of the edited mask shows the other one again.

async function expectColour(page: Page, spot: [number, number], want: Rgb, what: string) {
  await expect.poll(async () => near(await colourAt(page, ...spot), want),
    { message: `${what}: ${await colourAt(page, ...spot)} vs ${want}` }).toBe(true)
}

test('overlapping masks: both show where they overlap, either hides alone, editing one keeps the other on screen',
  async ({ page, request }) => {
    const base = await flatCaseToDrawOn(page)
    const rows = page.getByTestId('result-row')
    const onlyA: [number, number] = [-110, 30]
    const both: [number, number] = [14, 30]
    const onlyB: [number, number] = [110, 30]
    await expectColour(page, both, base, 'the image before any mask')
    const draw = pen(page)

    // Two filled discs, "a" left and "b" right, overlapping in the middle.
    for (const [name, x] of [['a', -60], ['b', 60]] as const) {
      await page.getByTestId('draw-target').selectOption('new')
      await page.getByTestId('draw-start').click()
      await page.getByTestId('draw-filled').click()
      await draw.loop(x, 0, 90)
      await page.getByTestId('draw-save').click()
      await page.getByTestId('save-name-input').fill(name)
      await page.getByTestId('save-name-ok').click()
      await expect(page.getByTestId('draw-start')).toBeVisible()
    }
    await expect(rows).toHaveCount(3)
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '2', { timeout: 60_000 })
    const [colourA, colourB] = [await swatchColor(page, 1), await swatchColor(page, 2)]
    const overA = blend(base, colourA, 0.5)
    const overB = blend(base, colourB, 0.5)
    await expectColour(page, onlyA, overA, 'a alone')
    await expectColour(page, onlyB, overB, 'b alone')
    await expectColour(page, both, blend(overA, colourB, 0.5), 'the overlap: b at 0.5 over a at 0.5')

    await rows.nth(2).getByTestId('result-visible').uncheck()
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '1')
    await expectColour(page, both, overA, 'b hidden: a whole, overlap included')
    await expectColour(page, onlyB, base, 'b hidden')
    await rows.nth(2).getByTestId('result-visible').check()
    await rows.nth(1).getByTestId('result-visible').uncheck()
    await expectColour(page, both, overB, 'a hidden: b whole, overlap included')
    await expectColour(page, onlyA, base, 'a hidden')
    await rows.nth(1).getByTestId('result-visible').check()
    await expectColour(page, both, blend(overA, colourB, 0.5), 'both shown again')

    // Outlined: b's border crosses a (a coloured line inside a, left of the overlap); b hidden, that
    // line is gone and a's inside is the image's gray there.
    const acrossBsBorder = async () => {
      const image = await canvasImage(page)
      const [cx, cy] = [Math.floor(image.width / 2), Math.floor(image.height / 2)]
      return Array.from({ length: 40 }, (_, k) => pixel(image, cx - 75 + k, cy + 30)).filter((c) => !near(c, base)).length
    }
    await page.getByTestId('outline-toggle').click()
    await expect(page.getByTestId('outline-toggle')).toHaveAttribute('data-value', 'outline')
    await expect.poll(acrossBsBorder, { message: 'b\'s outline inside a' }).toBeGreaterThan(0)
    await rows.nth(2).getByTestId('result-visible').uncheck()
    await expect.poll(acrossBsBorder, { message: 'no trace of hidden b inside a' }).toBe(0)
    await rows.nth(2).getByTestId('result-visible').check()
    await expect.poll(acrossBsBorder, { message: 'b\'s outline back' }).toBeGreaterThan(0)
    await page.getByTestId('outline-toggle').click()
    await expect(page.getByTestId('outline-toggle')).not.toHaveAttribute('data-value', 'outline')
    await expectColour(page, both, blend(overA, colourB, 0.5), 'filled again')

    // Edit "a": b stays on screen; an eraser line across the overlap shows b there again.
    const { jobIds } = await session(page)
    const indexA = Number(await rows.nth(1).getAttribute('data-index'))
    await page.getByTestId('draw-target').selectOption(`${jobIds[0]}-${indexA}`)
    await page.getByTestId('draw-start').click()
    await expect(rows.nth(1)).toHaveAttribute('data-state', 'editing')
    await expectColour(page, onlyB, overB, 'b while a is edited')
    await expect.poll(async () => near(await colourAt(page, ...onlyA), base), { message: 'a shows as the drawing' }).toBe(false)
    await page.getByTestId('draw-eraser').click()
    await page.getByTestId('draw-size').fill('6')
    await draw.stroke([[-20, 30], [50, 30]], 4)
    await expectColour(page, both, overB, 'a erased in the overlap: b shows there')
    // Saving says so until the server has the mask (the upload held here until seen).
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    await page.route('**/api/jobs/*/masks', async (route) => {
      await held
      await route.continue()
    })
    await page.getByTestId('draw-save').click()
    await page.getByTestId('save-name-ok').click()
    await expect(page.getByTestId('draw-saving')).toBeVisible()
    release()
    await expect(rows).toHaveCount(4)
    await expect(page.getByTestId('draw-saving')).toHaveCount(0)
    await page.unroute('**/api/jobs/*/masks')
    await expect(page.getByTestId('draw-start')).toBeVisible()

    // What was saved is "a" less the erased line, nothing of "b".
    const indexEdited = Number(await rows.nth(3).getAttribute('data-index'))
    const indexB = Number(await rows.nth(2).getAttribute('data-index'))
    const [a, b, edited] = await Promise.all([indexA, indexB, indexEdited].map((i) => serverMask(request, jobIds[0], i)))
    let [kept, erased, fromB] = [0, 0, 0]
    edited.voxels.forEach((v, p) => {
      if (v && a.voxels[p]) kept++
      if (!v && a.voxels[p]) erased++
      if (v && !a.voxels[p] && b.voxels[p]) fromB++
    })
    expect(kept, 'the edited mask keeps most of a').toBeGreaterThan(erased)
    expect(erased, 'the eraser line took voxels of a').toBeGreaterThan(5)
    expect(fromB, 'nothing of b became part of a').toBe(0)
    expect((await job(request, jobIds[0])).results).toHaveLength(4)
    // After the edit both masks show again with the edited one on top of b in the list order.
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '3', { timeout: 60_000 })
    await expectColour(page, onlyB, overB, 'b after the edit')
  })
