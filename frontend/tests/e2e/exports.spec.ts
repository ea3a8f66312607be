import { expect, test, type Page } from '@playwright/test'
import { unzipSync } from 'fflate'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { resolve } from 'node:path'
import { dicomSummary, makeStudy } from './dicom_study'
import { job, session, swatchColor } from './helpers'
import { readMask } from './nifti'

interface Label { value: number; color: number[]; name: string }

/** The lines of an ITK-SNAP label description file after its header: value, colour, name. */
function labelsTxt(text: string): Label[] {
  return text.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((line) => {
    const m = line.match(/^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+\s+\d+\s+\d+\s+"(.*)"$/)
    if (!m) throw new Error(`not a label line: ${line}`)
    return { value: Number(m[1]), color: [Number(m[2]), Number(m[3]), Number(m[4])], name: m[5] }
  })
}

async function download(page: Page, testId: string) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()])
  return { name: file.suggestedFilename(), path: (await file.path())! }
}

test('exports keep what the user sees: renamed and recoloured masks in the zip, labels, label map, SEG and RTSTRUCT; visible masks only',
  async ({ page, request }) => {
    const dir = mkdtempSync(resolve(tmpdir(), 'voxtell-exports-'))
    try {
      const { zip } = makeStudy(dir)
      await page.setViewportSize({ width: 1280, height: 720 })
      await page.goto('/')
      await page.getByTestId('file-input').setInputFiles({ name: 'abdomen study.zip', mimeType: 'application/zip', buffer: zip })
      await page.getByTestId('series-option').nth(1).click()
      await expect(page.getByTestId('volume-info')).toHaveText(/48×40×8/)
      await expect(page.getByTestId('volume-info')).toHaveText(/CT/) // the DICOM modality
      for (const prompt of ['aorta', 'liver', 'spleen']) {
        await page.getByTestId('prompt-input').fill(prompt)
        await page.getByTestId('prompt-input').press('Enter')
      }
      await page.getByTestId('run-button').click()
      const rows = page.getByTestId('result-row')
      await expect(rows).toHaveCount(3, { timeout: 120_000 })
      const { jobIds: [jobId] } = await session(page)

      // Rename with the rename button and by double-click; recolour with the colour picker.
      // The second rename is answered late, after the recolour was asked: its answer (the job as it
      // was before the recolour) must not undo the recolour on screen.
      await page.route(/\/api\/jobs\/[^/]+\/masks\/1$/, async (route) => {
        if (route.request().method() !== 'PATCH') return route.fallback()
        const answer = await route.fetch()
        await new Promise((done) => setTimeout(done, 1500))
        await route.fulfill({ response: answer })
      })
      const answered = (index: number) => page.waitForResponse((r) => r.request().method() === 'PATCH'
        && r.url().endsWith(`/masks/${index}`))
      const [renamedLate, recoloured] = [answered(1), answered(2)]
      await rows.nth(0).getByTestId('result-rename').click()
      await page.getByTestId('result-rename-input').fill('Aorta (main)')
      await page.getByTestId('result-rename-input').press('Enter')
      await rows.nth(1).getByTestId('result-name').dblclick()
      await page.getByTestId('result-rename-input').fill('Liver, left lobe')
      await page.getByTestId('result-rename-input').press('Enter')
      await rows.nth(2).getByTestId('result-color').fill('#12ab34')
      await expect(rows.nth(0)).toHaveAttribute('data-name', 'Aorta (main)')
      await expect(rows.nth(1)).toHaveAttribute('data-name', 'Liver, left lobe')
      await expect.poll(() => swatchColor(page, 2)).toEqual([18, 171, 52])
      await Promise.all([renamedLate, recoloured])
      await page.waitForTimeout(500) // both answers applied, whatever their order
      expect(await swatchColor(page, 2)).toEqual([18, 171, 52])
      await expect(rows.nth(1)).toHaveAttribute('data-name', 'Liver, left lobe')
      await page.unroute(/\/api\/jobs\/[^/]+\/masks\/1$/)
      const results = (await job(request, jobId)).results as unknown as { index: number; name: string; color: number[] }[]
      expect(results.map((r) => r.name)).toEqual(['Aorta (main)', 'Liver, left lobe', 'spleen'])
      expect(results[2].color).toEqual([18, 171, 52])
      const names = results.map((r) => r.name)
      const colours = results.map((r) => r.color)
      for (const [i, colour] of colours.entries()) expect(await swatchColor(page, i)).toEqual(colour)

      // The zip: members named as shown, labels.json and labels.txt with every name and colour.
      const all = await download(page, 'download-zip')
      expect(all.name).toMatch(/^abdomen_study_\d{8}-\d{4}_masks\.zip$/)
      const members = unzipSync(new Uint8Array(readFileSync(all.path)))
      expect(Object.keys(members).sort())
        .toEqual(['Aorta_main.nii.gz', 'Liver_left_lobe.nii.gz', 'labels.json', 'labels.txt', 'spleen.nii.gz'])
      const inZip = labelsTxt(Buffer.from(members['labels.txt']).toString('utf8'))
      expect(inZip).toEqual([{ value: 0, color: [0, 0, 0], name: 'Clear Label' },
        ...names.map((name, i) => ({ value: i + 1, color: colours[i], name }))])
      const json = JSON.parse(Buffer.from(members['labels.json']).toString('utf8')) as Label[]
      expect(json.map((l) => [l.value, l.name, l.color])).toEqual(names.map((n, i) => [i + 1, n, colours[i]]))

      // The label description file on its own, and the label map it describes.
      const txt = await download(page, 'download-labels-txt')
      expect(txt.name).toMatch(/^abdomen_study_\d{8}-\d{4}_labels\.txt$/)
      expect(labelsTxt(readFileSync(txt.path, 'utf8'))).toEqual(inZip)
      const map = await download(page, 'download-labelmap')
      expect(new Set(readMask(readFileSync(map.path)).voxels)).toEqual(new Set([0, 1, 2, 3]))

      // DICOM SEG segment labels and RTSTRUCT ROI names and colours are the current ones.
      const seg = dicomSummary((await download(page, 'download-seg')).path)
      expect(seg.segments!.map((s) => s.label)).toEqual(names)
      const rt = dicomSummary((await download(page, 'download-rtstruct')).path)
      expect(rt.rois!.map((r) => r.name)).toEqual(names)
      expect(rt.rois!.map((r) => r.color)).toEqual(colours)

      // Visible masks only: the hidden liver is left out of every export.
      await rows.nth(1).getByTestId('result-visible').uncheck()
      await page.getByTestId('export-visible-only').check()
      const asked = page.waitForRequest((r) => r.url().endsWith('/export'))
      const visible = await download(page, 'download-zip')
      expect((await asked).postDataJSON()).toEqual({ format: 'zip', masks: [{ job: jobId, mask: 0 }, { job: jobId, mask: 2 }] })
      expect(Object.keys(unzipSync(new Uint8Array(readFileSync(visible.path)))).sort())
        .toEqual(['Aorta_main.nii.gz', 'labels.json', 'labels.txt', 'spleen.nii.gz'])
      const visibleTxt = labelsTxt(readFileSync((await download(page, 'download-labels-txt')).path, 'utf8'))
      expect(visibleTxt.map((l) => l.name)).toEqual(['Clear Label', 'Aorta (main)', 'spleen'])
      expect(new Set(readMask(readFileSync((await download(page, 'download-labelmap')).path)).voxels)).toEqual(new Set([0, 1, 2]))
      expect(dicomSummary((await download(page, 'download-seg')).path).segments!.map((s) => s.label))
        .toEqual(['Aorta (main)', 'spleen'])

      // Names and colours live on the server: a reload shows them again.
      await page.reload()
      await expect(rows).toHaveCount(3)
      await expect(rows.nth(1)).toHaveAttribute('data-name', 'Liver, left lobe')
      expect(await swatchColor(page, 2)).toEqual([18, 171, 52])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

test('one export per case: the masks of two runs in ONE file of each kind, in the list\'s order, named with the time',
  async ({ page }) => {
    const dir = mkdtempSync(resolve(tmpdir(), 'voxtell-exports-'))
    try {
      const { zip } = makeStudy(dir)
      await page.goto('/')
      await page.getByTestId('file-input').setInputFiles({ name: 'ct series.zip', mimeType: 'application/zip', buffer: zip })
      await page.getByTestId('series-option').nth(1).click()
      await expect(page.getByTestId('volume-info')).toHaveText(/48×40×8/)
      const rows = page.getByTestId('result-row')
      for (const [prompts, count] of [[['aorta', 'liver'], 2], [['liver'], 3]] as const) {
        for (const prompt of prompts) {
          await page.getByTestId('prompt-input').fill(prompt)
          await page.getByTestId('prompt-input').press('Enter')
        }
        await page.getByTestId('run-button').click()
        await expect(rows).toHaveCount(count, { timeout: 120_000 })
      }
      const { jobIds } = await session(page)
      expect(jobIds).toHaveLength(2)
      const listed = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))
      expect(listed).toEqual(['aorta', 'liver', 'liver'])
      // One set of buttons for the whole case, not one per run.
      await expect(page.getByTestId('export-case')).toHaveCount(1)
      await expect(page.getByTestId('export-case')).toHaveAttribute('data-masks', '3')
      await expect(page.getByTestId('download-zip')).toHaveCount(1)

      const downloads: string[] = []
      page.on('download', (d) => downloads.push(d.suggestedFilename()))
      const all = await download(page, 'download-zip')
      expect(all.name).toMatch(/^ct_series_\d{8}-\d{4}_masks\.zip$/)
      const members = unzipSync(new Uint8Array(readFileSync(all.path)))
      expect(Object.keys(members)).toEqual(['aorta.nii.gz', 'liver.nii.gz', 'liver_2.nii.gz', 'labels.json', 'labels.txt'])
      const labels = JSON.parse(Buffer.from(members['labels.json']).toString('utf8')) as { name: string; job: string }[]
      expect(labels.map((l) => [l.name, l.job])).toEqual([['aorta', jobIds[0]], ['liver', jobIds[0]], ['liver', jobIds[1]]])
      const map = await download(page, 'download-labelmap')
      expect(map.name).toMatch(/^ct_series_\d{8}-\d{4}_labels\.nii\.gz$/)
      expect(Math.max(...readMask(readFileSync(map.path)).voxels)).toBeLessThanOrEqual(3)
      const seg = await download(page, 'download-seg')
      expect(seg.name).toMatch(/^ct_series_\d{8}-\d{4}_seg\.dcm$/)
      expect(dicomSummary(seg.path).segments!.map((s) => s.label)).toEqual(['aorta', 'liver', 'liver'])
      const rt = await download(page, 'download-rtstruct')
      expect(rt.name).toMatch(/^ct_series_\d{8}-\d{4}_rtstruct\.dcm$/)
      expect(dicomSummary(rt.path).rois!.map((r) => r.name)).toEqual(['aorta', 'liver', 'liver'])
      await page.waitForTimeout(500) // a second file of any kind would have started by now
      expect(downloads, 'one file per click').toHaveLength(4)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
