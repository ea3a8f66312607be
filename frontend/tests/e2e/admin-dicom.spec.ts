import { expect, test } from '@playwright/test'

// The admin page's DICOM node section on the key-protected server (no node running there): the
// rules and destinations are edited as one JSON document and saved whole; a rule naming a
// destination that does not exist is refused in the server's words (409), the edit stays and the
// server keeps what it had.

const keyed = () => `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 1}`
const ADMIN = { Authorization: 'Bearer e2e-secret-key' }

test('admin page: the DICOM node\'s rules and destinations, saved whole, a refusal in the server\'s words',
  async ({ browser, request }) => {
    const page = await (await browser.newContext({ baseURL: keyed(), viewport: { width: 1400, height: 860 } })).newPage()
    await page.goto('/')
    await page.getByTestId('api-key-input').fill('e2e-secret-key')
    await page.getByTestId('api-key-save').click()
    await page.getByTestId('admin-open').click()
    const section = page.getByTestId('admin-dicom')
    await expect(section.getByTestId('admin-dicom-node')).toHaveText('off (VOXTELL_DICOM_PORT is not set)')

    const config = {
      destinations: [{ name: 'eclipse', ae_title: 'ECLIPSE', host: '10.0.0.5', port: 104 }],
      rules: [{ id: 'prostate-ct', match: { modality: 'CT', series_description: '(?i)prostate' },
        protocol: 'pelvis-rt', review: 'review', send: [{ destination: 'eclipse', format: 'rtstruct' }] }],
    }
    await section.getByTestId('dicom-config-edit').click()
    await section.getByTestId('dicom-config-json').fill(JSON.stringify(config))
    await section.getByTestId('dicom-config-save').click()
    const rule = section.locator('[data-testid=dicom-rule][data-rule="prostate-ct"]')
    await expect(rule).toContainText('pelvis-rt')
    await expect(rule).toContainText('eclipse (rtstruct)')
    await expect(section.locator('[data-testid=dicom-destination][data-name="eclipse"]')).toContainText('ECLIPSE at 10.0.0.5:104')
    const saved = await (await request.get(`${keyed()}/api/dicom/config`, { headers: ADMIN })).json()
    expect(saved.rules.map((r: { id: string; review: string }) => [r.id, r.review])).toEqual([['prostate-ct', 'review']])

    // A rule sending to a destination nobody configured: refused, the text kept, nothing changed.
    const wrong = { ...config, rules: [{ ...config.rules[0], send: [{ destination: 'mosaiq' }] }] }
    await section.getByTestId('dicom-config-edit').click()
    await section.getByTestId('dicom-config-json').fill(JSON.stringify(wrong))
    await section.getByTestId('dicom-config-save').click()
    await expect(section.getByTestId('dicom-config-refusal')).toContainText("rule prostate-ct: destination 'mosaiq' is not configured")
    await expect(section.getByTestId('dicom-config-json')).toHaveValue(JSON.stringify(wrong))
    const after = await (await request.get(`${keyed()}/api/dicom/config`, { headers: ADMIN })).json()
    expect(after.rules[0].send).toEqual([{ destination: 'eclipse', format: 'rtstruct' }])
    await section.getByTestId('dicom-config-json').fill('{"rules": [')
    await section.getByTestId('dicom-config-save').click()
    await expect(section.getByTestId('dicom-config-refusal')).toContainText('not valid JSON')
    // Leave the server as it was for the other specs.
    await request.put(`${keyed()}/api/dicom/config`, { headers: ADMIN, data: { destinations: [], rules: [] } })
  })
