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
