/** Shared helpers of the browser tests: what the canvas shows, the server's copies, recorded UI events. */

import { expect, type APIRequestContext, type Page } from '@playwright/test'
import { createHash } from 'node:crypto'
import { decodePng, type Rgba } from './png'
import { makeVolumeFrom, readMask, type Decoded } from './nifti'

export type Rgb = [number, number, number]

/** The viewer's canvas as the user sees it (a screenshot of the element, not the server's copy). */
export async function canvasImage(page: Page): Promise<Rgba> {
  return decodePng(await page.locator('[data-testid=viewer] canvas').screenshot())
}

/** The canvas once rendering has settled: two screenshots in a row are identical (bounded polling). */
export async function settledCanvas(page: Page): Promise<Rgba> {
  let last = ''
  let image: Rgba | null = null
  await expect.poll(async () => {
    image = await canvasImage(page)
    const hash = createHash('sha1').update(image.data).digest('hex')
    const same = hash === last
    last = hash
    return same
  }, { message: 'the canvas never stopped changing' }).toBe(true)
  return image!
}

/** The colour the user sees at ``(dx, dy)`` pixels from the canvas centre. */
export async function colourAt(page: Page, dx: number, dy: number): Promise<Rgb> {
  const image = await canvasImage(page)
  return pixel(image, Math.floor(image.width / 2) + dx, Math.floor(image.height / 2) + dy)
}

/**
 * A case to draw on: a uniform 100 HU volume (64×64×32, 1×1×2 mm), one finished run of "liver"
 * (drawings are saved with a finished job's results) whose mask is hidden, the axial view under the
 * soft-tissue window typed in. Returns the image's gray there (every image pixel is that gray).
 */
export async function flatCaseToDrawOn(page: Page): Promise<Rgb> {
  await caseWithOneHiddenRun(page, 'flat.nii.gz', makeVolumeFrom([64, 64, 32], [1, 1, 2], () => 100), [64, 64, 32])
  await page.getByTestId('view-axial').click()
  // Not a CT (no HU-like range): no CT presets; the window is typed in.
  await typeWindow(page, 40, 400)
  const gray = windowed(100, 40, 400)
  return [gray, gray, gray]
}

/** A fresh page with the NIfTI ``buffer`` (a volume of ``dims``) open and one finished run of "liver"
 * (drawings are saved with a finished job's results), its mask hidden. */
export async function caseWithOneHiddenRun(page: Page, name: string, buffer: Buffer, dims: number[]): Promise<void> {
  await page.goto('/')
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/gzip', buffer })
  await expect(page.getByTestId('volume-info')).toHaveText(new RegExp(dims.join('×')))
  await page.getByTestId('prompt-input').fill('liver')
  await page.getByTestId('prompt-input').press('Enter')
  await page.getByTestId('run-button').click()
  const rows = page.getByTestId('result-row')
  await expect(rows).toHaveCount(1, { timeout: 120_000 })
  await rows.nth(0).getByTestId('result-visible').uncheck()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlays', '0')
}

/** Type a window (level and width) into the fields and apply it. */
export async function typeWindow(page: Page, level: number, width: number): Promise<void> {
  await page.getByTestId('window-level').fill(String(level))
  await page.getByTestId('window-width').fill(String(width))
  await page.getByTestId('window-apply').click()
}

export function pixel(image: Rgba, x: number, y: number): Rgb {
  const p = (Math.round(y) * image.width + Math.round(x)) * 4
  return [image.data[p], image.data[p + 1], image.data[p + 2]]
}

/** What NiiVue's gray colour map shows for ``value`` under window level ``center`` / ``width``. */
export function windowed(value: number, center: number, width: number): number {
  return Math.round(Math.min(1, Math.max(0, (value - (center - width / 2)) / width)) * 255)
}

/** An overlay of colour ``color`` at opacity ``alpha`` over the gray ``base``. */
export function blend(base: Rgb, color: Rgb, alpha: number): Rgb {
  return base.map((b, i) => Math.round(b * (1 - alpha) + color[i] * alpha)) as Rgb
}

export function near(a: Rgb, b: Rgb, tolerance = 3): boolean {
  return a.every((v, i) => Math.abs(v - b[i]) <= tolerance)
}

/** Gray runs of at least ``minRun`` pixels along row ``y``, left to right (crosshair and background skipped). */
export function grayPlateaus(image: Rgba, y: number, minRun = 20): number[] {
  const out: number[] = []
  let run = 0
  let value = -1
  const flush = () => {
    if (run >= minRun && out[out.length - 1] !== value) out.push(value)
  }
  for (let x = 0; x < image.width; x++) {
    const [r, g, b] = pixel(image, x, y)
    const gray = r === g && g === b ? r : -1
    if (gray === value) {
      run++
      continue
    }
    flush()
    value = gray
    run = 1
  }
  flush()
  return out.filter((v) => v >= 0)
}

/** Pixels that differ between two images of the same size (by more than ``tolerance`` in a channel). */
export function changedPixels(a: Rgba, b: Rgba, tolerance = 0): number[] {
  expect([a.width, a.height]).toEqual([b.width, b.height])
  const out: number[] = []
  for (let p = 0; p < a.width * a.height; p++) {
    const q = p * 4
    if ([0, 1, 2].some((c) => Math.abs(a.data[q + c] - b.data[q + c]) > tolerance)) out.push(p)
  }
  return out
}

export function rgbOf(image: Rgba, p: number): Rgb {
  return [image.data[p * 4], image.data[p * 4 + 1], image.data[p * 4 + 2]]
}

/** A result row's colour, read from its swatch. */
export async function swatchColor(page: Page, row: number): Promise<Rgb> {
  const css = await page.getByTestId('result-row').nth(row).getByTestId('result-swatch')
    .evaluate((e) => getComputedStyle(e).backgroundColor)
  const m = css.match(/rgb\((\d+), (\d+), (\d+)\)/)
  if (!m) throw new Error(`unexpected swatch colour ${css}`)
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}

export interface Session {
  volumeId: string
  jobIds: string[]
}

/** The current case of the page's tab (its volume and jobs on the server), from sessionStorage. */
export async function session(page: Page): Promise<Session> {
  return page.evaluate(() => {
    const state = JSON.parse(sessionStorage.getItem('voxtell-web-cases') ?? '{}')
    const current = (state.cases ?? []).find((c: { volumeId: string }) => c.volumeId === state.current)
    return current ? { volumeId: current.volumeId, jobIds: current.jobIds } : { volumeId: '', jobIds: [] }
  })
}

export interface MaskResult {
  index: number
  name: string
  source: string
  voxels: number
  components: number
}

export interface Job {
  id: string
  status: string
  prompts: string[]
  options: Record<string, unknown>
  error: string | null
  done: number
  total: number
  eta_s: number | null
  results: MaskResult[]
}

export async function job(request: APIRequestContext, id: string): Promise<Job> {
  const response = await request.get(`/api/jobs/${id}`)
  expect(response.status()).toBe(200)
  return response.json()
}

/** The server's copy of a mask, for comparison with what the app downloaded or showed. */
export async function serverMask(request: APIRequestContext, jobId: string, index: number): Promise<Decoded> {
  const response = await request.get(`/api/jobs/${jobId}/masks/${index}.nii.gz`)
  expect(response.status()).toBe(200)
  return readMask(Buffer.from(await response.body()))
}

export function countNonZero(voxels: ArrayLike<number>): number {
  let n = 0
  for (let i = 0; i < voxels.length; i++) if (voxels[i]) n++
  return n
}

/**
 * Record every value an element's attribute takes, through a MutationObserver in the page (each
 * DOM change is an event; nothing is sampled on a timer). ``read`` with the same name returns them.
 */
export async function recordAttribute(page: Page, name: string, testId: string, attributes: string[]): Promise<void> {
  await page.evaluate(({ name, testId, attributes }) => {
    const log: string[][] = []
    const w = window as unknown as Record<string, unknown>
    w[`__record_${name}`] = log
    const snap = () => {
      const el = document.querySelector(`[data-testid="${testId}"]`)
      if (!el) return
      const values = attributes.map((a) => (a === 'value' ? String((el as HTMLProgressElement).value) : el.getAttribute(a) ?? ''))
      const last = log[log.length - 1]
      if (!last || last.some((v, i) => v !== values[i])) log.push(values)
    }
    new MutationObserver(snap).observe(document.body, { subtree: true, childList: true, attributes: true,
      attributeFilter: attributes.filter((a) => a !== 'value').concat(['value']) })
    snap()
  }, { name, testId, attributes })
}

export async function recorded(page: Page, name: string): Promise<string[][]> {
  return page.evaluate((name) => (window as unknown as Record<string, string[][]>)[`__record_${name}`], name)
}

/** Files handed to the page as a drag-and-drop DataTransfer (real File objects). */
export async function dataTransfer(page: Page, files: { name: string; buffer: Buffer; type?: string }[]) {
  return page.evaluateHandle((list) => {
    const transfer = new DataTransfer()
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))
      transfer.items.add(new File([bytes], f.name, { type: f.type }))
    }
    return transfer
  }, files.map((f) => ({ name: f.name, type: f.type ?? 'application/octet-stream', b64: f.buffer.toString('base64') })))
}

/** Drag files over ``target`` (a test id or the viewer's canvas) and drop them, as a user would. */
export async function dropFiles(page: Page, target: string, files: { name: string; buffer: Buffer; type?: string }[]) {
  const transfer = await dataTransfer(page, files)
  const element = target === 'canvas' ? page.locator('[data-testid=viewer] canvas') : page.getByTestId(target)
  await element.dispatchEvent('dragenter', { dataTransfer: transfer })
  await element.dispatchEvent('dragover', { dataTransfer: transfer })
  await expect(page.getByTestId('drop-target'), 'the drop target shows while dragging').toBeVisible()
  await element.dispatchEvent('drop', { dataTransfer: transfer })
  await expect(page.getByTestId('drop-target')).toHaveCount(0)
}

/** Elements sticking out of the window (the sidebar scrolls vertically: inside it only its width counts). */
export async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const W = window.innerWidth
    const H = window.innerHeight
    const bad: string[] = []
    const sidebar = document.querySelector('.sidebar')
    const side = sidebar?.getBoundingClientRect()
    const root = document.documentElement
    if (root.scrollWidth > W || root.scrollHeight > H) bad.push(`page scrolls: ${root.scrollWidth}x${root.scrollHeight}`)
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 && r.height === 0) continue
      const inSidebar = !!sidebar && sidebar !== el && sidebar.contains(el)
      const right = inSidebar && side ? Math.min(W, side.right) : W
      const out = r.left < -0.5 || r.right > right + 0.5 || (!inSidebar && (r.top < -0.5 || r.bottom > H + 0.5))
      if (out) {
        const id = el.getAttribute('data-testid') ?? el.className ?? ''
        bad.push(`${el.tagName.toLowerCase()}[${id}] ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}`)
      }
    }
    return bad
  })
}

/** Where the crosshair readout points: world mm (RAS), the file voxel and the intensity. */
export async function readout(page: Page): Promise<{ volume: string; mm: number[]; voxel: number[]; value: number }> {
  const el = page.getByTestId('cursor-readout')
  const [volume, mm, voxel, value] = await Promise.all(['data-volume', 'data-mm', 'data-voxel', 'data-value']
    .map((a) => el.getAttribute(a)))
  return { volume: volume ?? '', mm: (mm ?? '').split(',').map(Number), voxel: (voxel ?? '').split(',').map(Number),
    value: Number(value) }
}

/** Mouse strokes on the viewer canvas, in pixels from its centre. */
export function pen(page: Page) {
  const canvas = page.locator('[data-testid=viewer] canvas')
  const centre = async () => {
    const box = (await canvas.boundingBox())!
    return [box.x + box.width / 2, box.y + box.height / 2]
  }
  return {
    // Each mouse event redraws the canvas (slow in software GL): few steps; the pen joins them with lines.
    async stroke(points: [number, number][], steps = 1) {
      const [cx, cy] = await centre()
      await page.mouse.move(cx + points[0][0], cy + points[0][1])
      await page.mouse.down()
      for (const [x, y] of points.slice(1)) await page.mouse.move(cx + x, cy + y, { steps })
      await page.mouse.up()
    },
    async square(r: number) {
      await this.stroke([[-r, -r], [r, -r], [r, r], [-r, r], [-r, -r]], 2)
    },
    async loop(x: number, y: number, r: number) {
      const points: [number, number][] = []
      for (let a = 0; a <= 360; a += 15) points.push([x + r * Math.cos((a * Math.PI) / 180), y + r * Math.sin((a * Math.PI) / 180)])
      await this.stroke(points)
    },
    async click(x: number, y: number) {
      const [cx, cy] = await centre()
      await page.mouse.click(cx + x, cy + y)
    },
  }
}
