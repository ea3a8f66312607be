#!/usr/bin/env node
/**
 * The API types of the app, from the server's OpenAPI document.
 *
 *   node scripts/api-types.mjs           (npm run gen:api, make api-types)  writes src/api/schema.d.ts
 *   node scripts/api-types.mjs --check   (npm run check:api)                fails when it is out of date
 *
 * scripts/dump_openapi.py prints the document (sorted keys, no VOXTELL_* settings) with the
 * Python of $VOXTELL_PYTHON, else ../.venv/bin/python; openapi-typescript (the version in
 * package-lock.json, the options below) turns it into TypeScript. Both modes run the same steps;
 * --check writes into a temporary folder and compares with the committed file.
 */

import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const target = join(frontend, 'src', 'api', 'schema.d.ts')
const dump = join(frontend, 'scripts', 'dump_openapi.py')
const HEADER = `/**
 * The server's API, generated from its OpenAPI document by \`npm run gen:api\` (\`make api-types\`):
 * do not edit. The app's names for these shapes are in types.ts.
 */

`
/** openapi-typescript's options; --array-length: a list of fixed length (a colour) is a tuple. */
const OPTIONS = { arrayLength: true }

function python() {
  const given = process.env.VOXTELL_PYTHON
  // A path is taken from where npm runs (frontend/), as in playwright.config.ts; a bare name from PATH.
  if (given) return given.includes('/') ? resolve(given) : given
  return resolve(frontend, '..', '.venv', 'bin', 'python')
}

function openapiDocument() {
  const exe = python()
  try {
    return JSON.parse(execFileSync(exe, [dump], { cwd: frontend, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'] }))
  } catch (err) {
    const hint = existsSync(exe) || !exe.includes('/') ? '' : ` (${exe} does not exist: run \`make venv\` or set VOXTELL_PYTHON)`
    throw new Error(`could not read the server's OpenAPI document with ${exe}${hint}: ${err.message}`)
  }
}

async function generate() {
  return HEADER + astToString(await openapiTS(openapiDocument(), OPTIONS))
}

async function main() {
  const check = process.argv.includes('--check')
  const text = await generate()
  if (!check) {
    writeFileSync(target, text)
    console.log(`wrote ${relative(process.cwd(), target)}`)
    return
  }
  const scratch = mkdtempSync(join(tmpdir(), 'voxtell-api-types-'))
  try {
    const fresh = join(scratch, 'schema.d.ts')
    writeFileSync(fresh, text)
    const committed = existsSync(target) ? readFileSync(target, 'utf8') : null
    if (committed === readFileSync(fresh, 'utf8')) {
      console.log(`${relative(process.cwd(), target)} matches the server's OpenAPI document`)
      return
    }
    console.error(`check:api: ${relative(process.cwd(), target)} is out of date with the server's OpenAPI document.`)
    if (committed === null) {
      console.error('  (the file is missing)')
    } else {
      const [a, b] = [committed.split('\n'), text.split('\n')]
      const line = a.findIndex((l, i) => l !== b[i])
      const at = line < 0 ? Math.min(a.length, b.length) : line
      console.error(`  first difference at line ${at + 1}:`)
      console.error(`    committed: ${a[at] ?? '(end of file)'}`)
      console.error(`    generated: ${b[at] ?? '(end of file)'}`)
    }
    console.error('Run `make api-types` (or `cd frontend && npm run gen:api`) and commit src/api/schema.d.ts;'
      + ' then fix what `npm run typecheck` says about src/api/types.ts.')
    process.exitCode = 1
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(`api-types: ${err.message}`)
  process.exitCode = 1
})
