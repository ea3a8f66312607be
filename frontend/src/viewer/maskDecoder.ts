/**
 * Mask files decoded in a worker (viewer/mask.worker.ts), one request at a time per answer id; where
 * workers are missing (tests in Node) or the worker cannot read a file (not NIfTI-1), the same
 * decoding runs here. No React.
 */

import type { DecodedMask } from '../lib/nifti-mask'
import { decodeMask } from '../lib/nifti-mask'

type Pending = { resolve: (mask: DecodedMask) => void; reject: (err: Error) => void }

let worker: Worker | null = null
/** the worker could not start: decode here from now on */
let broken = false
let nextId = 0
const pending = new Map<number, Pending>()

function theWorker(): Worker | null {
  if (worker || typeof Worker === 'undefined') return worker
  worker = new Worker(new URL('./mask.worker.ts', import.meta.url), { type: 'module' })
  worker.onmessage = (event: MessageEvent<{ id: number; mask?: DecodedMask; error?: string }>) => {
    const waiting = pending.get(event.data.id)
    pending.delete(event.data.id)
    if (!waiting) return
    if (event.data.mask) waiting.resolve(event.data.mask)
    else waiting.reject(new Error(event.data.error ?? 'the mask could not be decoded'))
  }
  worker.onerror = () => { // the worker itself failed to start: decode here from now on
    for (const waiting of pending.values()) waiting.reject(new Error('mask worker failed'))
    pending.clear()
    worker?.terminate()
    worker = null
    broken = true
  }
  return worker
}

/** The mask in ``blob`` for a volume of NiiVue ``permRAS`` and NIfTI-style ``backDims``. */
export async function decodeMaskFile(blob: Blob, permRAS: number[], backDims: number[],
  box: number[][] | null): Promise<DecodedMask> {
  const bytes = await blob.arrayBuffer()
  const w = broken ? null : theWorker()
  if (!w) return decodeMask(bytes, permRAS, backDims, box)
  const id = nextId++
  return new Promise<DecodedMask>((resolve, reject) => {
    pending.set(id, { resolve, reject })
    w.postMessage({ id, bytes, permRAS, backDims, box }, [bytes])
  })
}
