// Browser responsiveness of the viewer on a CT-like volume (512x512x300, or --shape X,Y,Z) with 12 masks
// (a measurement, not a test).
//
// Starts the real server (demo model, the built app from frontend/dist or VOXTELL_E2E_DIST), seeds
// the case (bench/web/seed_case.py), opens it in headless Chromium (software GL, as the e2e tests)
// and times hide/show, opacity, recolour, rename, select (go to), slice scroll and window/level, first in
// the multiplanar layout (three slices and the 3D view), then in the axial view alone.
// Per interaction (twice; slice scroll three times), from just before Playwright sends it: the Event
// Timing entries of its input events (input to the next paint after the handlers), the time until two
// animation frames, a one-pixel WebGL readPixels (all queued GL done: software GL draws in the GPU
// process, where no long task shows it) and a third frame have passed ("frame"), the long tasks
// (PerformanceObserver 'longtask') that followed, and the time until the page is quiet again (the end of
// the last long task or event, no further long task for 1 s). Opening is timed in stages: the volume on screen, then each
// mask's overlay as it arrives (data-overlays counts them), each stage with its own generous limit,
// so a slow machine reports how far it got instead of nothing. Writes bench/results/web_responsiveness.json.
//
//   node bench/web/responsiveness.mjs [--shape 512,512,40] [--mask-timeout-s 240] [--out FILE] [--profile FILE] [--niivue-bake]
//     [--profile-open FILE] [--open-only] [--only TEXT]
//
// 512x512x40 is what completes in minutes on the 2-core CPU machine (docs/performance.md).

import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os, { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const require = createRequire(join(root, 'frontend/package.json'))
const { chromium } = require('@playwright/test')
const python = resolve(root, process.env.VOXTELL_PYTHON ?? '.venv/bin/python')
const arg = (name, fallback) => process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback
const out = arg('--out', join(root, 'bench/results/web_responsiveness.json'))
const shape = arg('--shape', '512,512,300').split(',').map(Number)
const maskTimeoutMs = Number(arg('--mask-timeout-s', '300')) * 1000
const MASKS = 12
const port = 20000 + Math.floor(Math.random() * 30000)
const url = `http://127.0.0.1:${port}`
const scratch = mkdtempSync(join(tmpdir(), 'voxtell-webbench-'))
const data = join(scratch, 'data')

const server = spawn(python, ['-m', 'backend.cli', 'serve', '--device', 'cpu', '--port', String(port), '--data-dir', data], {
  cwd: root, stdio: ['ignore', 'ignore', 'ignore'],
  env: { ...process.env, VOXTELL_HOME: join(scratch, 'home'), VOXTELL_STATIC_DIR: resolve(root, process.env.VOXTELL_E2E_DIST ?? 'frontend/dist'),
    VOXTELL_MODEL: '', VOXTELL_JOB_TIMEOUT_S: '0.01', VOXTELL_MAX_WINDOWS: '5000' },
})
const stop = () => { try { server.kill('SIGTERM') } catch { /* gone */ } }
process.on('exit', stop)

async function waitHealthy() {
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(`${url}/api/health`)).ok) return } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error('server did not start')
}

/** In the page: every event-timing entry and long task, with a quiet-wait helper. */
function instrument() {
  const w = window
  w.__perf = { events: [], tasks: [] }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__perf.events.push({ name: e.name, start: e.startTime, duration: e.duration,
      processing: e.processingEnd - e.processingStart, delay: e.processingStart - e.startTime })
  }).observe({ type: 'event', durationThreshold: 16, buffered: true })
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__perf.tasks.push({ start: e.startTime, duration: e.duration })
  }).observe({ type: 'longtask', buffered: true })
}

async function quiet(page, since) {
  // Quiet: no long task and no event entry for 1 s, and two frames painted.
  for (;;) {
    const last = await page.evaluate((t0) => {
      const p = window.__perf
      const ends = [...p.tasks, ...p.events].filter((e) => e.start >= t0 - 50).map((e) => e.start + e.duration)
      return { now: performance.now(), last: Math.max(t0, ...ends) }
    }, since)
    if (last.now - last.last > 1000) break
    await page.waitForTimeout(200)
  }
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
}

/** When the frame after the action is on screen: two animation frames (the compositor waits for the GPU
 * process, where software GL draws), and a one-pixel read of the viewer's WebGL canvas (which waits for
 * every GL command queued before it). */
async function painted(page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(r))
    await frame()
    await frame()
    const gl = document.querySelector('[data-testid=viewer] canvas')?.getContext('webgl2')
    if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4))
    await frame()
    return performance.now()
  })
}

/** How many times the 3D view has been drawn and its picture reused so far (viewer/renderCache.ts). */
async function frames3d(page) {
  return page.evaluate(() => {
    const data = document.querySelector('[data-testid=viewer] canvas')?.dataset ?? {}
    return { drawn: Number(data.drawn3d ?? 0), reused: Number(data.reused3d ?? 0), deferred: Number(data.deferred3d ?? 0) }
  })
}

async function measure(page, name, action, repeats = 2) {
  if (only && !name.includes(only)) return null
  const runs = []
  for (let i = 0; i < repeats; i++) {
    const t0 = await page.evaluate(() => performance.now())
    const before = await frames3d(page)
    await action(i)
    const frameMs = (await painted(page)) - t0
    // A 3D picture drawn behind the shown one (renderCache.ts): until it is on screen.
    await page.waitForFunction(() => !document.querySelector('[data-testid=viewer] canvas')?.dataset.pending3d, null,
      { timeout: 60_000 })
    const view3dMs = (await painted(page)) - t0
    await quiet(page, t0)
    runs.push(await page.evaluate((t0) => {
      const p = window.__perf
      const events = p.events.filter((e) => e.start >= t0 - 5)
      const tasks = p.tasks.filter((e) => e.start >= t0 - 5)
      const ends = [...events, ...tasks].map((e) => e.start + e.duration)
      return {
        event_ms: Math.max(0, ...events.map((e) => e.duration)),
        event_names: [...new Set(events.map((e) => e.name))],
        longest_task_ms: Math.max(0, ...tasks.map((e) => e.duration)),
        long_tasks: tasks.length,
        effect_ms: Math.max(0, ...ends) ? Math.max(...ends) - t0 : 0,
      }
    }, t0))
    runs[runs.length - 1].frame_ms = frameMs
    const after = await frames3d(page)
    // 3D pictures drawn (ray cast; those drawn behind the shown one among them) and reused (viewer/renderCache.ts)
    runs[runs.length - 1].frames_3d = { drawn: after.drawn - before.drawn, reused: after.reused - before.reused,
      behind: after.deferred - before.deferred }
    runs[runs.length - 1].view3d_ms = after.deferred > before.deferred ? view3dMs : null
    runs[runs.length - 1].effect_ms = Math.max(runs[runs.length - 1].effect_ms, frameMs)
  }
  const worst = (k) => Math.max(...runs.map((r) => r[k]))
  const median = (k) => [...runs.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(runs.length / 2)]
  const result = { name, runs, median_event_ms: median('event_ms'), median_effect_ms: median('effect_ms'),
    worst_effect_ms: worst('effect_ms'), longest_task_ms: worst('longest_task_ms') }
  const drawn = runs.map((r) => `${r.frames_3d.drawn}/${r.frames_3d.reused}${r.view3d_ms ? ` (behind, shown at ${r.view3d_ms.toFixed(0)} ms)` : ''}`).join(' ')
  console.log(`${name.padEnd(14)} event ${result.median_event_ms.toFixed(0)} ms  frame ${median('frame_ms').toFixed(0)} ms  effect ${result.median_effect_ms.toFixed(0)} ms  longest task ${result.longest_task_ms.toFixed(0)} ms  3D drawn/reused ${drawn}`)
  return result
}

const started = Date.now()
await waitHealthy()
const seeded = JSON.parse(execFileSync(python, ['bench/web/seed_case.py', '--url', url, '--data-dir', data, '--shape', shape.join(',')],
  { cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONPATH: root } }).trim().split('\n').pop())
const seedS = (Date.now() - started) / 1000
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'] })
const browserVersion = browser.version()

// The page's start (no case open) in a browser with a profile of its own, started three times: the
// first start compiles NiiVue's programs, the later ones find them in the browser's shader cache,
// kept in the profile (as for a user's browser after the first visit).
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader']
async function pageStarts(times = 3) {
  const profile = join(scratch, 'profile')
  const longest = []
  for (let i = 0; i < times; i++) {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs, viewport: { width: 1400, height: 860 } })
    const page = await context.newPage()
    await page.addInitScript(instrument)
    await page.goto(url)
    await page.getByTestId('file-input').waitFor({ state: 'attached' })
    await quiet(page, 0)
    longest.push(await page.evaluate(() => Math.round(Math.max(0, ...window.__perf.tasks.map((t) => t.duration)))))
    await context.close()
  }
  return longest
}
const pageStartLongestTaskMs = await pageStarts()
console.log(`page start, longest task: ${pageStartLongestTaskMs.join(', ')} ms (first start of a profile, then restarts)`)

/** A sampling CPU profile of the page's main thread, started now. */
async function startProfile(page) {
  const session = await page.context().newCDPSession(page)
  await session.send('Profiler.enable')
  await session.send('Profiler.setSamplingInterval', { interval: 500 })
  await session.send('Profiler.start')
  return session
}

/** Stop the profile and write its 30 heaviest functions by self time to ``file``. */
async function writeProfile(session, file) {
  const { profile } = await session.send('Profiler.stop')
  const dt = new Map(profile.samples.map((id, i) => [i, profile.timeDeltas[i] / 1000]))
  const self = new Map()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + dt.get(i)))
  const byFunction = new Map()
  for (const node of profile.nodes) {
    const f = node.callFrame
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + (self.get(node.id) ?? 0))
  }
  const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([name, ms]) => ({ name, self_ms: Math.round(ms) }))
  writeFileSync(file, JSON.stringify(top, null, 1) + '\n')
}
const page = await browser.newPage({ viewport: { width: 1400, height: 860 } })
// An input is answered only once the main thread is free: on a slow machine that can take longer than 30 s.
page.setDefaultTimeout(maskTimeoutMs)
await page.addInitScript(({ volumeId, jobId }) => {
  if (!sessionStorage.getItem('voxtell-web-cases')) {
    sessionStorage.setItem('voxtell-web-cases', JSON.stringify({ current: volumeId, cases: [{ volumeId, name: 'bench_ct.nii.gz',
      jobIds: [jobId], hidden: [], opacity: {}, dismissed: [], window: null, crosshairMm: null }] }))
  }
}, { volumeId: seeded.volume_id, jobId: seeded.job_id })
await page.addInitScript(instrument)
// --niivue-bake: the 3D view's colours rebaked by NiiVue itself (viewer/liveBake.ts switched off), to compare.
const niivueBake = process.argv.includes('--niivue-bake')
// --open-only: the opening's figures only (no interactions timed).
const openOnly = process.argv.includes('--open-only')
// --only TEXT: only the interactions whose name contains TEXT (to measure one change quickly).
const only = arg('--only', null)
if (niivueBake) {
  await page.addInitScript(() => new MutationObserver(() => {
    const c = document.querySelector('[data-testid=viewer] canvas')
    if (c && c.dataset.liveBake !== 'off') c.dataset.liveBake = 'off'
  }).observe(document, { childList: true, subtree: true }))
}
// --profile-open FILE: the same for opening the case (the volume, then its masks).
const openProfileOut = arg('--profile-open', null)
const openCdp = openProfileOut ? await startProfile(page) : null
const openStart = Date.now()
await page.goto(url)
// The volume first (the loading sign gone, a slice readout), then the overlays one by one.
await page.getByTestId('result-row').first().waitFor({ timeout: 300_000 })
await page.waitForFunction(() => !document.querySelector('[data-testid=volume-loading]')
  && document.querySelector('[data-testid=viewer] canvas') !== null, null, { timeout: 300_000 })
const volumeS = (Date.now() - openStart) / 1000
const volumeShownAt = await page.evaluate(() => performance.now())
console.log(`volume on screen after ${volumeS.toFixed(1)} s`)
const overlays = () => page.evaluate(() => Number(document.querySelector('[data-testid=viewer]')?.getAttribute('data-overlays') ?? 0))
const maskS = []
for (let n = 1; n <= MASKS; n++) {
  try {
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=viewer]')?.getAttribute('data-overlays')) >= n,
      n, { timeout: maskTimeoutMs })
  } catch {
    console.log(`mask ${n} not shown within ${maskTimeoutMs / 1000} s`)
    break
  }
  maskS.push((Date.now() - openStart) / 1000)
  console.log(`mask ${n} shown after ${maskS[n - 1].toFixed(1)} s`)
}
const openS = (Date.now() - openStart) / 1000
if (openCdp) await writeProfile(openCdp, openProfileOut)
// The longest main-thread task while the masks arrived (after the volume was on screen).
const masksLongestTaskMs = await page.evaluate((since) => Math.max(0, ...window.__perf.tasks
  .filter((t) => t.start >= since).map((t) => t.duration)), volumeShownAt)
/** Until the overlay count is ``n`` (a mask hidden or shown again has its effect only then). */
const overlaysAre = (n) => page.waitForFunction((n) => Number(document.querySelector('[data-testid=viewer]')?.getAttribute('data-overlays')) === n,
  n, { timeout: maskTimeoutMs })
const rows = page.getByTestId('result-row')
const canvas = page.locator('[data-testid=viewer] canvas')
const box = await canvas.boundingBox()
await quiet(page, 0)
// The longest main-thread task of the whole opening, until the page is quiet after the last mask.
const openLongestTaskMs = await page.evaluate(() => Math.max(0, ...window.__perf.tasks.map((t) => t.duration)))
// Where the opening's tasks over 200 ms fell: [start, duration] in ms from the navigation (the volume
// on screen at volume_shown_ms).
const openLongTasks = await page.evaluate(() => window.__perf.tasks.filter((t) => t.duration > 200)
  .map((t) => [Math.round(t.start), Math.round(t.duration)]))
const openingReport = () => ({
  bench: 'web_responsiveness', when: new Date().toISOString(), volume: { shape, dtype: 'int16', masks: MASKS },
  browser: `headless Chromium ${browserVersion} (Debian /usr/bin/chromium), --disable-gpu, software GL (SwiftShader), 1400x860`,
  cpu_cores: os.cpus().length,
  seed_s: seedS, volume_shown_s: volumeS, masks_shown_s: maskS, masks_shown: maskS.length, open_case_s: openS,
  masks_longest_task_ms: masksLongestTaskMs, open_longest_task_ms: openLongestTaskMs,
  volume_shown_ms: Math.round(volumeShownAt), open_long_tasks_ms: openLongTasks,
  page_start_longest_task_ms: { first_start_of_a_profile: pageStartLongestTaskMs[0], restarts: pageStartLongestTaskMs.slice(1) },
})
if (openOnly) {
  await browser.close()
  stop()
  writeFileSync(out, JSON.stringify({ ...openingReport(), method: 'opening only (--open-only)' }, null, 1) + '\n')
  console.log(`open ${openS.toFixed(1)} s, longest task ${openLongestTaskMs.toFixed(0)} ms; wrote ${out}`)
  process.exit(0)
}

// --profile FILE: a CPU profile of the page's main thread over the interactions, its heaviest
// functions by self time written to FILE (where an interaction's time goes).
const profileOut = arg('--profile', null)
const cdp = profileOut ? await startProfile(page) : null
const results = []
/** An interaction's figures (none where --only left it out). */
const keep = (result) => { if (result) results.push(result) }
const shown = await overlays()
/** The centre of the axial view on screen, in page pixels (the canvas lists its tiles: viewer/annotations.ts). */
async function axialTileCentre() {
  const { tiles, width } = await canvas.evaluate((c) => ({ tiles: c.dataset.tiles ?? '', width: c.width }))
  const axial = tiles.split(' ').find((t) => t.startsWith('axial:'))
  if (!axial) throw new Error(`no axial view on screen: ${tiles}`)
  const [left, top, w, h] = axial.slice(6).split(',').map(Number)
  const scale = box.width / width // canvas pixels to CSS pixels
  return [box.x + (left + w / 2) * scale, box.y + (top + h / 2) * scale]
}
/** The interactions, in the view on screen (named with ``suffix``). */
async function interactions(suffix) {
  keep(await measure(page, `hide/show${suffix}`, async (i) => {
    await rows.nth(3).getByTestId('result-visible').click()
    await overlaysAre(i % 2 === 0 ? shown - 1 : shown)
  }, 2))
  keep(await measure(page, `opacity${suffix}`, async (i) => rows.nth(3).getByTestId('result-opacity').fill(String(0.3 + 0.1 * i))))
  keep(await measure(page, `recolour${suffix}`, async (i) => rows.nth(3).getByTestId('result-color').fill(['#ff0000', '#00ff00', '#0000ff'][i])))
  keep(await measure(page, `rename${suffix}`, async (i) => {
    await rows.nth(3).getByTestId('result-rename').click()
    await rows.nth(3).getByTestId('result-rename-input').fill(`renamed ${i}`)
    await rows.nth(3).getByTestId('result-rename-input').press('Enter')
  }))
  keep(await measure(page, `select (go to)${suffix}`, async (i) => rows.nth(2 + 2 * i).getByTestId('result-goto').click()))
  keep(await measure(page, `slice scroll${suffix}`, async () => {
    const sliceText = () => document.querySelector('[data-testid=slicebar]')?.textContent
    const before = await page.evaluate(sliceText)
    const [x, y] = await axialTileCentre()
    await page.mouse.move(x, y)
    await page.mouse.wheel(0, 100)
    // the slice shown has changed (the effect is the frame after that)
    await page.waitForFunction((before) => document.querySelector('[data-testid=slicebar]')?.textContent !== before,
      before, { timeout: 10_000 })
  }, 3))
  // lung, then bone (the case opens with soft tissue): each a change of window
  keep(await measure(page, `window/level${suffix}`, async (i) => page.getByTestId('window-preset').selectOption({ index: 1 + (i % 2) })))
  if (suffix) return
  // With a 3D view on screen: until the 3D view shows the new window (its colours rebaked once the
  // window settles, a few slices per task: viewer/liveBake.ts, then its picture drawn behind).
  keep(await measure(page, `window/level, 3D view current${suffix}`, async (i) => {
    const bakes = () => page.evaluate(() => Number(document.querySelector('[data-testid=viewer] canvas')?.dataset.bakes3d ?? 0))
    const before = await bakes()
    await page.getByTestId('window-preset').selectOption({ index: 3 + (i % 2) })
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=viewer] canvas')?.dataset.bakes3d ?? 0) > n,
      before, { timeout: 120_000 })
    await page.waitForFunction(() => !document.querySelector('[data-testid=viewer] canvas')?.dataset.pending3d, null,
      { timeout: 60_000 })
  }))
}
// The multiplanar layout (three slices and the 3D view with every mask's surface), then one 2D view.
await interactions('')
await page.getByTestId('view-axial').click()
await quiet(page, 0)
await interactions(' (axial view)')

if (cdp) await writeProfile(cdp, profileOut)
const longest = await page.evaluate(() => Math.max(0, ...window.__perf.tasks.map((t) => t.duration)))
await browser.close()
stop()
const report = {
  ...openingReport(),
  longest_task_ms_whole_session: longest,
  method: 'from just before the action (Playwright input over CDP): event_ms = Event Timing duration (input to next paint) of its input events; frame_ms = until the action has resolved and two animation frames plus a 1-pixel WebGL readPixels (all queued GL done) and a third frame have passed; effect_ms = the later of frame_ms and the end of the last event entry or long task (PerformanceObserver longtask) before 1 s of quiet; longest_task_ms = longest main-thread task in that time; frames_3d = 3D pictures drawn (ray cast; behind = of those, drawn behind the shown picture after the 2D views showed the change) and reused (src/viewer/renderCache.ts) meanwhile; view3d_ms = for a picture drawn behind, until it is on screen (then two frames, a GL read, a frame); slice scroll = the wheel over the axial view until the slice number changes; window/level = presets lung, then bone; window/level, 3D view current = presets brain, then auto, until the 3D view has been rebaked and redrawn; --niivue-bake: rebakes by NiiVue (data-live-bake=off), for comparison',
  interactions: results,
}
writeFileSync(out, JSON.stringify(report, null, 1) + '\n')
console.log(`open ${openS.toFixed(1)} s, longest task ${longest.toFixed(0)} ms; wrote ${out}`)
process.exit(0)
