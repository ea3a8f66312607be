/// <reference lib="webworker" />
/**
 * Decodes mask files off the main thread (lib/nifti-mask.ts): a request is the file's bytes and the
 * volume's geometry, the answer the mask's RAS indices and cropped box, both transferred, not copied.
 */

import { decodeMask } from '../lib/nifti-mask'

export interface DecodeRequest {
  id: number
  bytes: ArrayBuffer
  permRAS: number[]
  backDims: number[]
  box: number[][] | null
}

declare const self: DedicatedWorkerGlobalScope

self.onmessage = async (event: MessageEvent<DecodeRequest>) => {
  const { id, bytes, permRAS, backDims, box } = event.data
  try {
    const mask = await decodeMask(bytes, permRAS, backDims, box)
    self.postMessage({ id, mask }, [mask.indices.buffer, mask.crop.buffer])
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? err.message : String(err) })
  }
}
