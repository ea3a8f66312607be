import { expect, test } from '@playwright/test'
import { session } from './helpers'

// The fourth and fifth web servers (playwright.config.ts): a real Orthanc with DICOMweb holding
// generated CT series (tests/e2e/pacs_archive.py), and the app with it as its PACS.
const pacs = process.env.VOXTELL_E2E_PACS_URL!
const server = `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 3}`

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>

/** Orthanc's own REST API / its DICOMweb routes, asked directly (not through the app). */
async function archive<T>(path: string): Promise<T> {
  const response = await fetch(`${pacs}${path}`)
  expect(response.status, `GET ${path}`).toBe(200)
  return (await response.json()) as T
}

const value = (item: DicomJson, tag: string): unknown => item[tag]?.Value?.[0]

test('PACS: search, open a series, segment, confirm and send a DICOM SEG that the archive stores',
  async ({ page }) => {
    const seriesBefore = await archive<string[]>('/series')
    // Every store request the app makes (a cancelled confirmation must make none).
    const stores: string[] = []
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/api\/jobs\/[^/]+\/pacs$/.test(r.url())) stores.push(r.url())
    })

    await page.goto(`${server}/`)
    await expect(page.getByTestId('pacs-panel')).toBeVisible()

    // Search by patient name: only E2E^Pacs's study (the archive also holds Other^Patient's).
    await page.getByTestId('pacs-patient_name').fill('E2E')
    await page.getByTestId('pacs-search').click()
    const studies = page.getByTestId('pacs-study')
    await expect(studies).toHaveCount(1)
    await expect(studies).toContainText('E2E Pacs (E2E-PACS-1) · 2024-05-17 · CT abdomen e2e · CT · 2 series')
    const studyUid = (await studies.getAttribute('data-uid'))!
    await studies.click()
    const series = page.getByTestId('pacs-series')
    await expect(series).toHaveCount(2)
    const venous = series.filter({ hasText: 'venous' })
    await expect(venous).toContainText('CT · venous · 8 images · axial')
    const venousUid = (await venous.getAttribute('data-uid'))!

    // Open: the series is retrieved (WADO-RS) and shown in the viewer.
    await venous.getByTestId('pacs-open').click()
    await expect(page.getByTestId('volume-info')).toHaveText(/48×40×8/, { timeout: 60_000 })
    const { volumeId } = await session(page)
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-loaded', volumeId, { timeout: 60_000 })

    for (const prompt of ['aorta', 'liver']) {
      await page.getByTestId('prompt-input').fill(prompt)
      await page.getByTestId('prompt-input').press('Enter')
    }
    await page.getByTestId('run-button').click()
    await expect(page.getByTestId('result-row')).toHaveCount(2, { timeout: 120_000 })

    // Send SEG asks first, naming what the archive will get; Cancel sends nothing.
    const question = 'Send a DICOM SEG of 2 masks to the PACS as a new series in study “CT abdomen e2e” ' +
      `(E2E Pacs, 2024-05-17, ${studyUid})?`
    await page.getByTestId('pacs-send-seg').click()
    await expect(page.getByTestId('pacs-confirm')).toContainText(question)
    await expect(page.getByTestId('pacs-send-seg')).toBeDisabled()
    await page.getByTestId('pacs-confirm-cancel').click()
    await expect(page.getByTestId('pacs-confirm')).toHaveCount(0)
    await expect(page.getByTestId('pacs-send-seg')).toBeEnabled()
    await expect(page.getByTestId('pacs-stored')).toHaveCount(0)
    expect(stores, 'no store request after Cancel').toEqual([])
    expect(await archive<string[]>('/series'), 'the archive got nothing').toEqual(seriesBefore)

    // Send and confirm: the app names the new series, and the archive has it as a SEG in the study.
    await page.getByTestId('pacs-send-seg').click()
    await expect(page.getByTestId('pacs-confirm')).toContainText(question)
    await page.getByTestId('pacs-confirm-send').click()
    await expect(page.getByTestId('pacs-confirm')).toHaveCount(0)
    const stored = page.getByTestId('pacs-stored')
    await expect(stored).toHaveCount(1, { timeout: 60_000 })
    expect(stores).toHaveLength(1)
    const storedUid = (await page.getByTestId('pacs-stored-uid').textContent())!
    expect(storedUid).toMatch(/^[0-9]+(\.[0-9]+)+$/)
    await expect(stored).toHaveAttribute('data-series-uid', storedUid)
    await expect(stored).toContainText('DICOM SEG')

    expect((await archive<string[]>('/series')).length).toBe(seriesBefore.length + 1)
    const found = await archive<DicomJson[]>(`/dicom-web/studies/${studyUid}/series?SeriesInstanceUID=${storedUid}`)
    expect(found).toHaveLength(1)
    expect(value(found[0], '00080060'), 'Modality').toBe('SEG')
    // Its one instance: a segment per mask, named after the prompts, on the opened series.
    const [instance] = await archive<DicomJson[]>(`/dicom-web/studies/${studyUid}/series/${storedUid}/metadata`)
    expect(value(instance, '00080060')).toBe('SEG')
    const segments = (instance['00620002'].Value ?? []) as DicomJson[]
    expect(segments.map((s) => value(s, '00620005'))).toEqual(['aorta', 'liver'])
    const referenced = (instance['00081115'].Value ?? []) as DicomJson[]
    expect(referenced.map((s) => value(s, '0020000E'))).toEqual([venousUid])
  })
