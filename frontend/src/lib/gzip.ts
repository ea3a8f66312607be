/**
 * Gzip both ways through the browser's CompressionStream / DecompressionStream (native, off the main
 * thread; also in Node, where the unit tests run).
 */

const GZIP_MAGIC = [0x1f, 0x8b]

/** Whether ``bytes`` start as gzip does. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]
}

export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  return pipe(data, new CompressionStream('gzip'))
}

export async function gunzip(data: Uint8Array): Promise<Uint8Array> {
  return pipe(data, new DecompressionStream('gzip'))
}

async function pipe(data: Uint8Array, through: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([data.slice().buffer]).stream().pipeThrough(through)
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** Work done before the event loop is given a turn, in ``gunzipInTasks``. */
const SLICE_MS = 30

/**
 * The inflated content of the gzip file ``blob``, read a slice of time per task: opening a large
 * volume never holds the page. Inflated by NiiVue, a 512×512×300 CT's 150 MB came out in one task
 * of 0.3–0.5 s (its reader awaits each piece without giving the event loop a turn).
 */
export async function gunzipInTasks(blob: Blob): Promise<Blob> {
  const reader = blob.stream().pipeThrough(new DecompressionStream('gzip')).getReader()
  const parts: BlobPart[] = []
  let since = performance.now()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parts.push(value)
    if (performance.now() - since > SLICE_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0))
      since = performance.now()
    }
  }
  return new Blob(parts)
}
