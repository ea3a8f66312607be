/** The DICOM node over HTTP (/api/dicom): the worklist, approving held drafts, re-sending a failed
 * send; the node's status and its rules and destinations (administrators). No React in here. */

import type { ApiClient } from './client'
import type { components } from './schema'
import type { DicomNodeStatus, DicomSeriesInfo } from './types'

export type DicomConfig = components['schemas']['DicomConfig']
const JSON_HEADERS = { 'Content-Type': 'application/json' }
const seg = encodeURIComponent

export class DicomApi {
  constructor(private readonly api: ApiClient) {}

  /** The series the node received that the caller may see, newest first; with ``before`` (a series
   * id: the last of the page before) those received before it (404 once it is gone). */
  series(limit = 100, before: string | null = null): Promise<DicomSeriesInfo[]> {
    return this.api.request(`/api/dicom/series?limit=${limit}${before ? `&before=${seg(before)}` : ''}`)
  }

  /** Send the reviewed drafts of a series held for review (409 once it is no longer in review). */
  approve(seriesId: string): Promise<DicomSeriesInfo> {
    return this.api.request(`/api/dicom/series/${seg(seriesId)}/approve`, { method: 'POST' })
  }

  /** Try a failed send again now (409 for a send that has not failed). */
  resend(sendId: string): Promise<void> {
    return this.api.request(`/api/dicom/sends/${seg(sendId)}/resend`, { method: 'POST' })
  }

  node(): Promise<DicomNodeStatus> {
    return this.api.request('/api/dicom/node')
  }

  config(): Promise<DicomConfig> {
    return this.api.request('/api/dicom/config')
  }

  putConfig(config: DicomConfig): Promise<DicomConfig> {
    return this.api.request('/api/dicom/config', { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify(config) })
  }
}
