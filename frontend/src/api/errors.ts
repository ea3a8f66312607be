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

export function messageFor(status: number, body: unknown): string {
  if (body && typeof body === 'object' && 'detail' in body) {
    const detail = (body as { detail: unknown }).detail
    if (typeof detail === 'string' && detail) return detail
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
