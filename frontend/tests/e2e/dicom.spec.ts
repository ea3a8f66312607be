import { expect, test } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { resolve } from 'node:path'
import { countNonZero, job, serverMask, session } from './helpers'

const python = resolve(process.env.VOXTELL_PYTHON ?? '../.venv/bin/python')
const SEG_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4'
const RTSTRUCT_STORAGE = '1.2.840.10008.5.1.4.1.1.481.3'

/** Two synthetic CT series in one zip (tests/dicom/series.py); their UIDs as JSON. */
const MAKE_STUDY = `
import json, sys, zipfile, numpy as np, pydicom
from pathlib import Path
sys.path.insert(0, '.')
from tests.dicom.series import write_series
out = Path(sys.argv[1])
files, info = [], {}
for name, slices in (('arterial', 12), ('venous', 8)):
    data = np.random.default_rng(slices).integers(-200, 800, (48, 40, slices)).astype(np.int16)
    f, uids = write_series(out / name, data, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), (0.8, 0.8, 2.5),
                           np.array([-20.0, 10.0, 0.0]), description=name)
    info[name] = {'series': uids['series'], 'sops': sorted(str(pydicom.dcmread(p).SOPInstanceUID) for p in f)}
    files += f
with zipfile.ZipFile(out / 'study.zip', 'w') as zf:
    for p in files:
        zf.write(p, p.parent.name + '/' + p.name)
print(json.dumps(info))
`

interface Summary {
  sop_class: string
  modality: string
  referenced_series: string[]
  segments?: { number: number; label: string; voxels: number }[]
  rois?: { number: number; name: string }[]
  contours?: Record<string, { slices: number; images: string[] }>
}

test('DICOM zip with two series: pick one, segment two prompts, export SEG and RTSTRUCT that match the masks',
  async ({ page, request }) => {
    const dir = mkdtempSync(resolve(tmpdir(), 'voxtell-dicom-'))
    try {
      const study = JSON.parse(execFileSync(python, ['-c', MAKE_STUDY, dir], { cwd: resolve('..') }).toString())
      await page.goto('/')
      await page.getByTestId('file-input').setInputFiles({ name: 'study.zip', mimeType: 'application/zip',
        buffer: readFileSync(resolve(dir, 'study.zip')) })
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
        summaries[button] = JSON.parse(execFileSync(python, [resolve('tests/e2e/dicom_summary.py'), path]).toString())
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
