/** Two synthetic CT series in one zip (tests/dicom/series.py), for the DICOM browser tests. */

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

export const python = resolve(process.env.VOXTELL_PYTHON ?? '../.venv/bin/python')

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

export interface Study {
  arterial: { series: string; sops: string[] }
  venous: { series: string; sops: string[] }
}

/** Write the study into ``dir`` (study.zip and the series folders); its UIDs. */
export function makeStudy(dir: string): { study: Study; zip: Buffer } {
  const study = JSON.parse(execFileSync(python, ['-c', MAKE_STUDY, dir], { cwd: resolve('..') }).toString()) as Study
  return { study, zip: readFileSync(resolve(dir, 'study.zip')) }
}

export interface Summary {
  sop_class: string
  modality: string
  referenced_series: string[]
  segments?: { number: number; label: string; voxels: number }[]
  rois?: { number: number; name: string; color: number[] }[]
  contours?: Record<string, { slices: number; images: string[] }>
}

/** What a DICOM SEG or RTSTRUCT file holds (tests/e2e/dicom_summary.py, pydicom). */
export function dicomSummary(path: string): Summary {
  return JSON.parse(execFileSync(python, [resolve('tests/e2e/dicom_summary.py'), path]).toString()) as Summary
}
