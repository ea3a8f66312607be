/** The administrators' part of the API (/api/admin: 403 for anyone else). No React in here. */

import type { ApiClient } from './client'
import type {
  AuditEvent, AuditQuery, ProjectInfo, Role, TokenCreate, TokenCreated, TokenInfo, UserInfo, UserUpdate,
} from './types'

const JSON_HEADERS = { 'Content-Type': 'application/json' }
const seg = encodeURIComponent

export class AdminApi {
  constructor(private readonly api: ApiClient) {}

  private send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.api.request(path, body === undefined ? { method }
      : { method, headers: JSON_HEADERS, body: JSON.stringify(body) })
  }

  users(): Promise<UserInfo[]> {
    return this.send('GET', '/api/admin/users')
  }

  addUser(name: string, role: Role = 'user'): Promise<UserInfo> {
    return this.send('POST', '/api/admin/users', { name, role })
  }

  /** Disable / enable, or set the person's own limit of waiting jobs (``default_limit``: the server's). */
  updateUser(id: string, change: UserUpdate): Promise<UserInfo> {
    return this.send('PATCH', `/api/admin/users/${seg(id)}`, change)
  }

  tokens(userId: string): Promise<TokenInfo[]> {
    return this.send('GET', `/api/admin/users/${seg(userId)}/tokens`)
  }

  createToken(userId: string, body: TokenCreate): Promise<TokenCreated> {
    return this.send('POST', `/api/admin/users/${seg(userId)}/tokens`, body)
  }

  revokeToken(tokenId: string): Promise<void> {
    return this.send('DELETE', `/api/admin/tokens/${seg(tokenId)}`)
  }

  projects(): Promise<ProjectInfo[]> {
    return this.send('GET', '/api/admin/projects')
  }

  addProject(name: string): Promise<ProjectInfo> {
    return this.send('POST', '/api/admin/projects', { name })
  }

  setMember(projectId: string, userId: string, member: boolean): Promise<ProjectInfo> {
    return this.send(member ? 'PUT' : 'DELETE', `/api/admin/projects/${seg(projectId)}/members/${seg(userId)}`)
  }

  /** The audit trail, newest first; empty filters are left out. */
  audit(query: AuditQuery): Promise<AuditEvent[]> {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && String(value).trim() !== '') params.set(key, String(value).trim())
    }
    return this.send('GET', `/api/admin/audit?${params.toString()}`)
  }
}
