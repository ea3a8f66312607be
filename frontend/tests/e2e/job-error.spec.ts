import { expect, test } from '@playwright/test'
import { session } from './helpers'
import { makeVolume } from './nifti'

test('a job that fails shows its reason in the job-error row, with no result', async ({ page, request }) => {
  // The third web server stops any job running longer than VOXTELL_JOB_TIMEOUT_S = 0.01 s.
  const server = `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 2}`
  await page.goto(`${server}/`)
  await page.getByTestId('file-input').setInputFiles({ name: 'ct.nii.gz', mimeType: 'application/gzip',
    buffer: makeVolume([96, 96, 64], [1, 1, 1.5]) })
  await expect(page.getByTestId('volume-info')).toHaveText(/96×96×64/)
  await expect(page.getByTestId('job-error')).toHaveCount(0)
  await page.getByTestId('prompt-input').fill('liver')
  await page.getByTestId('prompt-input').press('Enter')
  await page.getByTestId('run-button').click()
  await expect(page.getByTestId('job-error')).toHaveCount(1, { timeout: 120_000 })
  await expect(page.getByTestId('job-error')).toContainText('time limit')
  await expect(page.getByTestId('job-row')).toHaveCount(0)
  await expect(page.getByTestId('result-row')).toHaveCount(0)
  const { jobIds } = await session(page)
  const status = await (await request.get(`${server}/api/jobs/${jobIds[0]}`)).json()
  expect(status.status).toBe('failed')
  await expect(page.getByTestId('job-error')).toHaveText(status.error)
  // The failure survives a reload (the app asks the server again).
  await page.reload()
  await expect(page.getByTestId('job-error')).toHaveText(status.error)
})
