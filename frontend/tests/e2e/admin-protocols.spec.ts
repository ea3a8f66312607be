import { expect, test, type APIRequestContext } from '@playwright/test'

// The admin page's protocols on the key-protected server (the bootstrap administrator): a protocol's
// structures and TG-263 warnings are listed; names, prompts, colours and interpreted types are
// edited and saved (PUT); a refused save shows the server's words (409: a clash, 422: a field) and
// keeps the edit; delete.

const keyed = () => `http://127.0.0.1:${Number(process.env.VOXTELL_E2E_PORT) + 1}`
const ADMIN = { Authorization: 'Bearer e2e-secret-key' }

interface Structure { prompt: string; name: string; color: number[]; interpreted_type: string }

async function stored(request: APIRequestContext, id: string): Promise<{ status: number; structures?: Structure[]; warnings?: string[] }> {
  const answer = await request.get(`${keyed()}/api/protocols/${id}`, { headers: ADMIN })
  return answer.status() === 200 ? { status: 200, ...(await answer.json()) } : { status: answer.status() }
}

test('admin page: protocols listed with structures and warnings, edited and saved, a refused save shows why, deleted',
  async ({ browser, request }) => {
    const id = `e2e-kidneys-${Date.now().toString(36)}`
    const made = await request.put(`${keyed()}/api/protocols/${id}`, { headers: ADMIN, data: {
      name: 'E2E kidneys', modality: 'CT', structures: [
        { prompt: 'left kidney', name: 'Left kidney', color: [10, 20, 30] },
        { prompt: 'right kidney', name: 'Kidney_R', color: [40, 50, 60] },
      ] } })
    expect(made.status(), await made.text()).toBe(201)

    const page = await (await browser.newContext({ baseURL: keyed(), viewport: { width: 1400, height: 860 } })).newPage()
    await page.goto('/')
    await page.getByTestId('api-key-input').fill('e2e-secret-key')
    await page.getByTestId('api-key-save').click()
    await page.getByTestId('admin-open').click()
    const row = page.locator(`[data-testid=protocol-row][data-protocol="${id}"]`)
    await expect(row.getByTestId('protocol-structure')).toHaveCount(2)
    await expect(row.getByTestId('protocol-structure').nth(0)).toHaveAttribute('data-name', 'Left kidney')
    // The server's TG-263 advice: no spaces, laterality last.
    await expect(row.getByTestId('protocol-warning')).toHaveText((await stored(request, id)).warnings!)
    await expect(row.getByTestId('protocol-warning').first()).toContainText('Left kidney')
    await expect(page.locator('[data-testid=protocol-row][data-protocol="pelvis-rt"]')).toBeVisible()

    // Edit: name, prompt, colour and interpreted type of a structure; saved, listed, on the server.
    await row.getByTestId('protocol-edit').click()
    const first = row.getByTestId('protocol-edit-structure').nth(0)
    await first.getByTestId('structure-name').fill('Kidney_L')
    await first.getByTestId('structure-prompt').fill('left kidney parenchyma')
    await first.getByTestId('structure-color').fill('#ff8000')
    await first.getByTestId('structure-type').selectOption('AVOIDANCE')
    await row.getByTestId('protocol-save').click()
    await expect(row.getByTestId('protocol-editor')).toHaveCount(0)
    await expect(row.getByTestId('protocol-structure').nth(0)).toHaveAttribute('data-name', 'Kidney_L')
    await expect(row.getByTestId('protocol-structure-type').nth(0)).toHaveText('AVOIDANCE')
    await expect(row.getByTestId('protocol-warnings')).toHaveCount(0)
    const saved = await stored(request, id)
    expect(saved.structures![0]).toMatchObject({ name: 'Kidney_L', prompt: 'left kidney parenchyma', color: [255, 128, 0],
      interpreted_type: 'AVOIDANCE' })
    expect(saved.warnings).toEqual([])

    // A clash (two structures of one name): 409, the server's words; the edit stays, nothing is stored.
    await row.getByTestId('protocol-edit').click()
    const second = row.getByTestId('protocol-edit-structure').nth(1)
    await second.getByTestId('structure-name').fill('Kidney_L')
    await row.getByTestId('protocol-save').click()
    await expect(row.getByTestId('protocol-refusal')).toHaveText(`protocol ${id}: structure name 'Kidney_L' is used twice`)
    await expect(second.getByTestId('structure-name')).toHaveValue('Kidney_L')
    // A field the schema refuses (an empty prompt): 422, in words.
    await second.getByTestId('structure-name').fill('Kidney_R')
    await second.getByTestId('structure-prompt').fill('')
    await row.getByTestId('protocol-save').click()
    await expect(row.getByTestId('protocol-refusal')).toContainText('structures.1.prompt')
    expect((await stored(request, id)).structures!.map((s) => s.name)).toEqual(['Kidney_L', 'Kidney_R'])
    await row.getByTestId('protocol-cancel').click()

    // Delete, after a confirmation.
    await row.getByTestId('protocol-delete').click()
    await page.getByTestId('protocol-delete-confirm-ok').click()
    await expect(row).toHaveCount(0)
    expect((await stored(request, id)).status).toBe(404)
  })
