/** Maps HTTP failures to one human-readable message (the server's `detail` when it sent one). */

export class ApiError extends Error {
  readonly status: number

  constructor(status: number, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
  }

  get needsApiKey(): boolean {
    return this.status === 401
  }
}

/** Exception class names a server text may carry ("… truncated (EOFError)", "(unreachable: ConnectError)",
 * "ValueError: …"): words for a developer, not for the user. */
const CLASS = String.raw`(?:(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt)|(?:[A-Za-z_]\w*\.)+(?:error|timeout))`
const CLASS_ALONE = new RegExp(String.raw`\s*\(${CLASS}\)`, 'g')
const CLASS_AFTER = new RegExp(String.raw`:\s*${CLASS}\)`, 'g')
const CLASS_FIRST = new RegExp(String.raw`^${CLASS}:\s*`)

/** ``text`` without exception class names. */
export function plainText(text: string): string {
  const plain = text.replace(CLASS_ALONE, '').replace(CLASS_AFTER, ')').replace(CLASS_FIRST, '').trim()
  return plain || text
}

export function messageFor(status: number, body: unknown): string {
  if (body && typeof body === 'object' && 'detail' in body) {
    const detail = (body as { detail: unknown }).detail
    if (typeof detail === 'string' && detail) return plainText(detail)
  }
  if (status === 401) return 'This server needs an API key.'
  if (status === 413) return 'The file is larger than the server accepts.'
  if (status === 429) return 'The server is busy; try again in a moment.'
  if (status >= 500) return `The server failed (HTTP ${status}).`
  if (status === 0) return 'The server cannot be reached.'
  return `Request failed (HTTP ${status}).`
}

export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    body = null
  }
  return new ApiError(response.status, messageFor(response.status, body))
}
