import { useCallback, useMemo } from 'react'
import { AdminApi } from '../api/admin'
import type { ApiClient } from '../api/client'
import { useRemote } from '../hooks/useRemote'
import { AdminAudit } from './AdminAudit'
import { AdminDicom } from './AdminDicom'
import { AdminProjects } from './AdminProjects'
import { AdminProtocols } from './AdminProtocols'
import { AdminUsers } from './AdminUsers'

interface Props {
  api: ApiClient
  onError: (err: unknown) => void
  onClose: () => void
}

/** The administrators' page: users and their tokens, projects, protocols, the DICOM node's rules, the audit trail. */
export function AdminPage({ api, onError, onClose }: Props) {
  const admin = useMemo(() => new AdminApi(api), [api])
  const load = useCallback(() => admin.users(), [admin])
  const { data: users, reload } = useRemote(load, onError)
  return (
    <div className="page" data-testid="admin-page">
      <div className="page-head">
        <h2>Administration</h2>
        <button data-testid="admin-close" onClick={onClose}>Close</button>
      </div>
      <AdminUsers admin={admin} users={users} onChanged={reload} onError={onError} />
      <AdminProjects admin={admin} users={users} onError={onError} />
      <AdminProtocols api={api} onError={onError} />
      <AdminDicom api={api} onError={onError} />
      <AdminAudit admin={admin} users={users} onError={onError} />
    </div>
  )
}
