/**
 * The content of the files a user opens, as one digest: the same file (or the same set of DICOM
 * files, in any order, under any names) opened twice is recognised and its case reopened instead
 * of uploading a second copy. SHA-256 where the browser offers it (secure contexts), else a 64-bit
 * FNV-1a of the bytes (a plain-http deployment); never sent anywhere.
 */

const known = new WeakMap<File, Promise<string>>()

/** One digest of ``files`` (order and names ignored) and, for a multi-series DICOM set, the series chosen. */
export async function filesDigest(files: File[], seriesUid?: string): Promise<string> {
  const each = await Promise.all(files.map(fileDigest))
  const joined = [...each].sort().join(',')
  const whole = files.length === 1 ? each[0] : await bytesDigest(new TextEncoder().encode(joined))
  return seriesUid ? `${whole}:${seriesUid}` : whole
}

function fileDigest(file: File): Promise<string> {
  let digest = known.get(file)
  if (!digest) {
    digest = file.arrayBuffer().then((buffer) => bytesDigest(new Uint8Array(buffer)))
    known.set(file, digest)
  }
  return digest
}

export async function bytesDigest(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle
  if (subtle) {
    const hash = new Uint8Array(await subtle.digest('SHA-256', bytes.slice().buffer))
    return `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('')}`
  }
  return `fnv64:${fnv1a64(bytes)}:${bytes.length}`
}

/** 64-bit FNV-1a as two 32-bit halves (BigInt is slow per byte). */
export function fnv1a64(bytes: Uint8Array): string {
  // offset basis 0xcbf29ce484222325, prime 0x100000001b3 (= 2^40 + 0x1b3)
  let hi = 0xcbf29ce4
  let lo = 0x84222325
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]) >>> 0
    // (hi, lo) * (2^40 + 0x1b3) mod 2^64
    const loMul = lo * 0x1b3
    const carry = Math.floor(loMul / 0x100000000)
    const newLo = loMul >>> 0
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0
    lo = newLo
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0')
}
