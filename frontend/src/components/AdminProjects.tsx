import { useCallback } from 'react'
import type { AdminApi } from '../api/admin'
import type { UserInfo } from '../api/types'
import { useRemote } from '../hooks/useRemote'

interface Props {
  admin: AdminApi
  users: UserInfo[] | null
  onError: (err: unknown) => void
}

/** Projects and their members (the members see each other's cases of the project). */
export function AdminProjects({ admin, users, onError }: Props) {
  const load = useCallback(() => admin.projects(), [admin])
  const { data: projects, reload } = useRemote(load, onError)
  const act = (p: Promise<unknown>) => void p.then(reload, onError)
  const nameOf = (id: string) => users?.find((u) => u.id === id)?.name ?? id
  return (
    <section className="admin-section" data-testid="admin-projects">
      <h2>Projects</h2>
      <form className="inline-form" onSubmit={(e) => {
        e.preventDefault()
        const form = e.currentTarget
        const name = String(new FormData(form).get('name') ?? '').trim()
        if (name) act(admin.addProject(name).then(() => form.reset()))
      }}>
        <input name="name" placeholder="project name" aria-label="new project's name" data-testid="project-name" />
        <button type="submit" data-testid="project-add">Add project</button>
      </form>
      <ul className="projects">
        {(projects ?? []).map((p) => (
          <li key={p.id} data-testid="project-row" data-project={p.id} data-name={p.name}>
            <b>{p.name}</b>
            <span className="members">
              {p.members.map((m) => (
                <span className="chip" key={m} data-testid="project-member" data-user={m}>
                  {nameOf(m)}
                  <button aria-label={`remove ${nameOf(m)}`} data-testid="project-member-remove"
                    onClick={() => act(admin.setMember(p.id, m, false))}>×</button>
                </span>
              ))}
            </span>
            <select aria-label={`add a member to ${p.name}`} data-testid="project-member-add" value=""
              onChange={(e) => e.target.value && act(admin.setMember(p.id, e.target.value, true))}>
              <option value="">add member…</option>
              {(users ?? []).filter((u) => !p.members.includes(u.id)).map((u) => (
                <option key={u.id} value={u.id}>{u.name}</option>
              ))}
            </select>
          </li>
        ))}
      </ul>
    </section>
  )
}
