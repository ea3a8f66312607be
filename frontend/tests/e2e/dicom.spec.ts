import { expect, test } from '@playwright/test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { resolve } from 'node:path'
import { dicomSummary, makeStudy, type Summary } from './dicom_study'
import { countNonZero, job, serverMask, session } from './helpers'

const SEG_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4'
const RTSTRUCT_STORAGE = '1.2.840.10008.5.1.4.1.1.481.3'

test('DICOM zip with two series: pick one, segment two prompts, export SEG and RTSTRUCT that match the masks',
  async ({ page, request }) => {
    const dir = mkdtempSync(resolve(tmpdir(), 'voxtell-dicom-'))
    try {
      const { study, zip } = makeStudy(dir)
      await page.goto('/')
      await page.getByTestId('file-input').setInputFiles({ name: 'study.zip', mimeType: 'application/zip', buffer: zip })
      const options = page.getByTestId('series-option')
      await expect(options).toHaveCount(2)
      await expect(options.nth(0)).toContainText('arterial')
      await expect(options.nth(1)).toContainText('venous · 8 slices')
      await options.nth(1).click() // venous: 8 slices
      await expect(page.getByTestId('volume-info')).toHaveText(/48×40×8/)
      await expect(page.getByTestId('series-picker')).toHaveCount(0)
      for (const prompt of ['aorta', 'liver']) {
        await page.getByTestId('prompt-input').fill(prompt)
        await page.getByTestId('prompt-input').press('Enter')
      }
      await page.getByTestId('run-button').click()
      await expect(page.getByTestId('result-row')).toHaveCount(2, { timeout: 120_000 })

      const { jobIds } = await session(page)
      const results = (await job(request, jobIds[0])).results
      expect(results.map((r) => r.name)).toEqual(['aorta', 'liver'])
      const masks = await Promise.all(results.map((r) => serverMask(request, jobIds[0], r.index)))
      for (const [i, m] of masks.entries()) {
        expect(m.dims).toEqual([48, 40, 8])
        expect(countNonZero(m.voxels), `${results[i].name} is not empty`).toBeGreaterThan(0)
      }
      // Slices (file axis 2) on which each mask has foreground.
      const slicesWithMask = masks.map((m) => {
        const set = new Set<number>()
        m.voxels.forEach((v, p) => { if (v) set.add(Math.floor(p / (48 * 40))) })
        return set.size
      })

      const summaries: Record<string, Summary> = {}
      for (const button of ['download-seg', 'download-rtstruct']) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(button).click()])
        const path = await download.path()
        expect(readFileSync(path).subarray(128, 132).toString('latin1')).toBe('DICM')
        summaries[button] = dicomSummary(path)
      }

      // SEG: one segment per mask, named after it, with the mask's voxels, on the venous series.
      const seg = summaries['download-seg']
      expect(seg.sop_class).toBe(SEG_STORAGE)
      expect(seg.modality).toBe('SEG')
      expect(seg.referenced_series).toEqual([study.venous.series])
      expect(seg.segments!.map((s) => s.label)).toEqual(['aorta', 'liver'])
      expect(seg.segments!.map((s) => s.voxels)).toEqual(results.map((r) => r.voxels))

      // RTSTRUCT: one ROI per mask, named after it, contoured on exactly the slices the mask covers,
      // referencing images of the venous series only.
      const rt = summaries['download-rtstruct']
      expect(rt.sop_class).toBe(RTSTRUCT_STORAGE)
      expect(rt.modality).toBe('RTSTRUCT')
      expect(rt.referenced_series).toEqual([study.venous.series])
      expect(rt.rois!.map((r) => r.name)).toEqual(['aorta', 'liver'])
      for (const [i, roi] of rt.rois!.entries()) {
        const contours = rt.contours![String(roi.number)]
        expect(contours.slices, `${roi.name}: slices with contours`).toBe(slicesWithMask[i])
        expect(contours.images.length).toBeGreaterThan(0)
        for (const uid of contours.images) expect(study.venous.sops).toContain(uid)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
