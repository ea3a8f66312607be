import { expect, test } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { resolve } from 'node:path'
import { python } from './dicom_study'
import { makeVolume } from './nifti'

// One CT series (tests/dicom/series.py) with the patient and study fields a scanner writes.
const MAKE_SERIES = `
import sys, zipfile, numpy as np, pydicom
from pathlib import Path
sys.path.insert(0, '.')
from tests.dicom.series import write_series
out = Path(sys.argv[1])
data = np.random.default_rng(3).integers(-200, 800, (40, 32, 6)).astype(np.int16)
files, _ = write_series(out / 'ct', data, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), (0.8, 0.8, 2.5),
                        np.zeros(3), description='venous 2.5 mm')
with zipfile.ZipFile(out / 'series.zip', 'w') as zf:
    for p in files:
        ds = pydicom.dcmread(p)
        ds.PatientName, ds.PatientID, ds.PatientSex = 'Doe^Jane^^Dr', 'PHI-123', 'F'
        ds.PatientBirthDate, ds.StudyDate, ds.StudyDescription = '19610714', '20240105', 'CT THORAX ABDOMEN'
        ds.save_as(p, enforce_file_format=True)
        zf.write(p, 'ct/' + p.name)
`

test('the patient banner shows the DICOM series\' patient, study and series, and my cases the same', async ({ page }) => {
  const dir = mkdtempSync(resolve(tmpdir(), 'voxtell-patient-'))
  try {
    execFileSync(python, ['-c', MAKE_SERIES, dir], { cwd: resolve('..') })
    await page.goto('/')
    const banner = page.getByTestId('patient-banner')
    await expect(banner).toBeVisible()
    await expect(page.getByTestId('patient-banner-empty')).toHaveText('no case open')

    await page.getByTestId('file-input').setInputFiles({ name: 'series.zip', mimeType: 'application/zip',
      buffer: readFileSync(resolve(dir, 'series.zip')) })
    await expect(page.getByTestId('volume-info')).toHaveText(/40×32×6/)
    const expected: [string, string][] = [['name', 'Doe, Jane, Dr'], ['id', 'PHI-123'], ['sex', 'F'],
      ['birth', '1961-07-14'], ['study-date', '2024-01-05'], ['study', 'CT THORAX ABDOMEN'],
      ['series', 'venous 2.5 mm'], ['modality', 'CT']]
    for (const [key, value] of expected) await expect(banner.getByTestId(`patient-${key}`)).toContainText(value)
    // Above the views, across the whole width of the viewer column.
    const box = (await banner.boundingBox())!
    const canvas = (await page.locator('[data-testid=viewer] canvas').boundingBox())!
    expect(box.y + box.height).toBeLessThanOrEqual(canvas.y + 0.5)

    const mine = page.getByTestId('my-case').first()
    for (const [key, value] of expected) await expect(mine.getByTestId(`my-case-${key}`)).toHaveText(value)

    // A NIfTI: its file name (the tab's: the name is never sent) and no patient fields; the banner follows the open case.
    await page.getByTestId('file-input').setInputFiles({ name: 'brain_t1.nii.gz', mimeType: 'application/octet-stream',
      buffer: makeVolume([20, 18, 16], [1, 1, 1]) })
    await page.getByTestId('replace-confirm-ok').click()
    await expect(banner.getByTestId('patient-file')).toContainText('brain_t1.nii.gz')
    await expect(banner.getByTestId('patient-name')).toHaveCount(0)
    await page.getByTestId('case-open').filter({ hasText: 'series.zip' }).click()
    await expect(banner.getByTestId('patient-name')).toHaveText('Doe, Jane, Dr')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
