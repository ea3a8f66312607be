/** The cases of this browser tab (lib/cases.ts), kept in sessionStorage. */

import { useCallback, useEffect, useMemo, useState } from 'react'
import { closeCase, currentCase, forgetLegacy, loadCases, openCase, saveCases, updateCase, type CaseState, type CasesState } from '../lib/cases'

export function useCases() {
  const [state, setState] = useState<CasesState>(() => loadCases(window.sessionStorage, window.localStorage))
  useEffect(() => {
    saveCases(window.sessionStorage, state)
    forgetLegacy(window.localStorage) // taken over once; not again in every new tab
  }, [state])

  const open = useCallback((volumeId: string, name: string) => setState((s) => openCase(s, volumeId, name)), [])
  const close = useCallback((volumeId: string) => setState((s) => closeCase(s, volumeId)), [])
  const select = useCallback((volumeId: string) => setState((s) => ({ ...s, current: volumeId })), [])
  const update = useCallback((volumeId: string, change: (c: CaseState) => CaseState) =>
    setState((s) => updateCase(s, volumeId, change)), [])
  const current = useMemo(() => currentCase(state), [state])
  return { cases: state.cases, current, open, close, select, update }
}

export type Cases = ReturnType<typeof useCases>
