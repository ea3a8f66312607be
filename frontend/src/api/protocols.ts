/** Protocols of named structures (/api/protocols): everyone reads and runs them, administrators
 * write them (403 for anyone else). No React in here. */

import type { ApiClient } from './client'
import type { components } from './schema'
import type { JobOptions, JobStatus, ProtocolBody, ProtocolInfo } from './types'

type JobCreate = components['schemas']['JobCreate']
const JSON_HEADERS = { 'Content-Type': 'application/json' }
const seg = encodeURIComponent

export class ProtocolsApi {
  constructor(private readonly api: ApiClient) {}

  /** Every protocol, by id. */
  list(): Promise<ProtocolInfo[]> {
    return this.api.request('/api/protocols')
  }

  /** Create or replace protocol ``id`` (administrators). A clash of structures is a 409, a field
   * the schema refuses a 422: both carry the server's words (ApiError.message). */
  put(id: string, body: ProtocolBody): Promise<ProtocolInfo> {
    return this.api.request(`/api/protocols/${seg(id)}`, { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify(body) })
  }

  remove(id: string): Promise<void> {
    return this.api.request(`/api/protocols/${seg(id)}`, { method: 'DELETE' })
  }

  /** Run protocol ``id`` on a volume: the results carry its structures' names, colours and interpreted types. */
  run(volumeId: string, id: string, options?: JobOptions): Promise<JobStatus> {
    const body: JobCreate = { volume_id: volumeId, protocol: id, ...(options ? { options } : {}) }
    return this.api.request('/api/jobs', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) })
  }
}
