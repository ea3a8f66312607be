/**
 * Held jobs: while the hold file exists, the main test server's jobs wait before reporting each
 * sliding window (backend/devtools/held_predictor.py, VOXTELL_TEST_HOLD_DIR set by
 * playwright.config.ts), so a spec sees a job part-way through however fast the machine is. A
 * hold longer than 120 s fails the job: a spec that never releases fails loudly.
 */

import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

function holdFile(): string {
  const dir = process.env.VOXTELL_E2E_HOLD_DIR
  if (!dir) throw new Error('VOXTELL_E2E_HOLD_DIR is not set (playwright.config.ts sets it)')
  return join(dir, 'hold')
}

/** Jobs report their first ``windows`` windows, then wait before the next one (0: before the first). */
export function holdJobs(windows = 0): void {
  const file = holdFile()
  writeFileSync(`${file}.tmp`, String(windows))
  renameSync(`${file}.tmp`, file) // replaced at once: the server never reads a half-written number
}

/** Jobs run on (removes the hold file; nothing happens when there is none). */
export function releaseJobs(): void {
  rmSync(holdFile(), { force: true })
}
