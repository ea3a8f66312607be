import { defineConfig } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

// The real backend with the demo model, serving the built app; Debian's Chromium, never a downloaded one.
const python = resolve(process.env.VOXTELL_PYTHON ?? '../.venv/bin/python')
// Nine consecutive free loopback ports for the servers below (port .. port + 8), checked by binding all
// nine at once, chosen once per run and inherited by the workers through the environment, so two runs
// never collide and a port taken by something else is never used.
process.env.VOXTELL_E2E_PORT ??= freePortRun(9)
const port = Number(process.env.VOXTELL_E2E_PORT)
const scratch = mkdtempSync(join(tmpdir(), 'voxtell-e2e-'))
const E2E_API_KEY = 'e2e-secret-key' // tests/e2e/app.spec.ts types it into the app
// The PACS of tests/e2e/pacs.spec.ts: Orthanc + DICOMweb on port + 4, the app using it on port + 3.
process.env.VOXTELL_E2E_PACS_URL ??= `http://127.0.0.1:${port + 4}`
const pacsUrl = process.env.VOXTELL_E2E_PACS_URL
// The built app the servers serve: frontend/dist, or VOXTELL_E2E_DIST (a private build, e.g.
// `npx vite build --outDir /tmp/my-dist`, so that another build of dist/ cannot change it mid-run).
const dist = resolve(process.env.VOXTELL_E2E_DIST ?? 'dist')
// Held jobs (backend/devtools/held_predictor.py): while <dir>/hold exists the main server's jobs
// wait before each sliding window (tests/e2e/hold.ts), so a spec sees a job part-way however fast
// the machine is. Inherited by the workers, like the port.
process.env.VOXTELL_E2E_HOLD_DIR ??= join(scratch, 'hold')
const holdDir = process.env.VOXTELL_E2E_HOLD_DIR
mkdirSync(holdDir, { recursive: true })
// The same for the DICOM node's server (port + 7; tests/e2e/worklist.spec.ts).
process.env.VOXTELL_E2E_DICOM_HOLD_DIR ??= join(scratch, 'hold-dicom')
const dicomHoldDir = process.env.VOXTELL_E2E_DICOM_HOLD_DIR
mkdirSync(dicomHoldDir, { recursive: true })
// Every server on the CPU (--device cpu): a CUDA machine would change the tests' timing.
const serve = (port: number, data: string) =>
  `${python} -m backend.cli serve --device cpu --port ${port} --data-dir ${join(scratch, data)}`

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 420_000,
  // A 2-core CI machine running the servers, the build and Chromium at once answers an upload in
  // seconds, not milliseconds: the 5 s default made a 2.7-million-voxel upload's info flaky.
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1400, height: 860 },
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    },
  },
  webServer: [{
    command: serve(port, 'data'),
    cwd: resolve('..'),
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    env: { VOXTELL_HOME: join(scratch, 'home'), VOXTELL_STATIC_DIR: dist, VOXTELL_MODEL: '',
      VOXTELL_TEST_HOLD_DIR: holdDir },
  }, {
    // The same app behind an API key (VOXTELL_API_KEY), on the next port.
    command: serve(port + 1, 'data-keyed'),
    cwd: resolve('..'),
    url: `http://127.0.0.1:${port + 1}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    env: { VOXTELL_HOME: join(scratch, 'home-keyed'), VOXTELL_STATIC_DIR: dist, VOXTELL_MODEL: '',
      VOXTELL_API_KEY: E2E_API_KEY },
  }, {
    // A server whose jobs all fail (time limit of 10 ms), for the app's job-error row.
    command: serve(port + 2, 'data-failing'),
    cwd: resolve('..'),
    url: `http://127.0.0.1:${port + 2}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    env: { VOXTELL_HOME: join(scratch, 'home-failing'), VOXTELL_STATIC_DIR: dist, VOXTELL_MODEL: '',
      VOXTELL_JOB_TIMEOUT_S: '0.01' },
  }, {
    // A real Orthanc with DICOMweb and generated CT series (patient E2E^Pacs); ready once they are stored.
    // Orthanc runs in the script's process group: SIGTERM stops both and removes the storage.
    command: `${python} tests/e2e/pacs_archive.py --port ${port + 4}`,
    wait: { stdout: /PACS ready on / },
    timeout: 180_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
  }, {
    // The app with that archive as its PACS (VOXTELL_DICOMWEB_URL).
    command: serve(port + 3, 'data-pacs'),
    cwd: resolve('..'),
    url: `http://127.0.0.1:${port + 3}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    env: { VOXTELL_HOME: join(scratch, 'home-pacs'), VOXTELL_STATIC_DIR: dist, VOXTELL_MODEL: '',
      VOXTELL_DICOMWEB_URL: `${pacsUrl}/dicom-web` },
  }, {
    // A real OpenID Connect provider (tests/oidc's npm oidc-provider; `npm ci` there first) on port + 6,
    // allowing the app's origin, sending the browser back to the app on port + 5 (tests/e2e/oidc.spec.ts).
    command: `node ../tests/oidc/provider.mjs ${port + 6} http://127.0.0.1:${port + 5}/`,
    wait: { stdout: /OIDC provider ready on / },
    timeout: 60_000,
    reuseExistingServer: false,
  }, {
    // The app trusting that provider (VOXTELL_OIDC_ISSUER): its access tokens are the bearer credential.
    command: serve(port + 5, 'data-oidc'),
    cwd: resolve('..'),
    url: `http://127.0.0.1:${port + 5}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    env: { VOXTELL_HOME: join(scratch, 'home-oidc'), VOXTELL_STATIC_DIR: dist, VOXTELL_MODEL: '',
      VOXTELL_OIDC_ISSUER: `http://127.0.0.1:${port + 6}`, VOXTELL_OIDC_RESOURCE: 'urn:voxtell-web' },
  }, {
    // The app with its DICOM node on (port + 8, AE VOXTELL, scanner CT1 allowed): a series is complete
    // after 1 s of quiet; a send is tried 3 times, 4 s then 8 s apart (tests/e2e/worklist.spec.ts).
    command: serve(port + 7, 'data-dicom'),
    cwd: resolve('..'),
    url: `http://127.0.0.1:${port + 7}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    env: { VOXTELL_HOME: join(scratch, 'home-dicom'), VOXTELL_STATIC_DIR: dist, VOXTELL_MODEL: '',
      VOXTELL_API_KEY: E2E_API_KEY, VOXTELL_TEST_HOLD_DIR: dicomHoldDir, VOXTELL_DICOM_PORT: String(port + 8),
      VOXTELL_DICOM_ALLOWED_CALLERS: '["CT1"]', VOXTELL_DICOM_QUIET_S: '1', VOXTELL_DICOM_SEND_RETRIES: '3',
      VOXTELL_DICOM_SEND_BACKOFF_S: '4' },
  }],
})

/** The first of `count` consecutive loopback ports that are all free right now (bound together, then released). */
function freePortRun(count: number): string {
  const script = [
    'import random, socket',
    `count = ${count}`,
    'for _ in range(200):',
    '    base = random.randint(20000, 60000 - count)',
    '    held = []',
    '    try:',
    '        for p in range(base, base + count):',
    '            s = socket.socket(); s.bind(("127.0.0.1", p)); held.append(s)',
    '    except OSError:',
    '        continue',
    '    finally:',
    '        for s in held: s.close()',
    '    print(base); break',
    'else:',
    '    raise SystemExit("no run of free ports")',
  ].join('\n')
  return execFileSync(python, ['-c', script], { encoding: 'utf8' }).trim()
}
