import { useCallback } from 'react'
import type { ApiClient } from '../api/client'
import { useRemote } from '../hooks/useRemote'
import { TokenList } from './TokenList'

interface Props {
  api: ApiClient
  onError: (err: unknown) => void
  onClose: () => void
}

/** The signed-in person's own tokens (GET/POST /api/me/tokens, DELETE …/{id}). */
export function MyTokens({ api, onError, onClose }: Props) {
  const load = useCallback(() => api.myTokens(), [api])
  const { data, reload } = useRemote(load, onError)
  return (
    <div className="page" data-testid="my-tokens">
      <div className="page-head">
        <h2>My tokens</h2>
        <button data-testid="my-tokens-close" onClick={onClose}>Close</button>
      </div>
      <TokenList tokens={data} onError={onError}
        onCreate={async (name) => {
          const made = await api.createMyToken({ name, scope: 'full' })
          reload()
          return made
        }}
        onRevoke={(id) => void api.revokeMyToken(id).then(reload, onError)} />
    </div>
  )
}
