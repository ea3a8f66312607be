import { useEffect, useState } from 'react'
import type { ApiClient } from '../api/client'
import type { JobOptions, ProtocolInfo } from '../api/types'
import { moveHighlight } from '../lib/keys'
import { ProtocolPicker } from './ProtocolPicker'

interface Props {
  api: ApiClient
  disabled: boolean
  onRun: (prompts: string[], options: JobOptions) => void
  /** the server's protocols (null: not read yet) */
  protocols: ProtocolInfo[] | null
  /** the open volume's modality: its protocols are offered first */
  modality: string | null | undefined
  onRunProtocol: (protocol: string) => void
}

/** Prompt chips with autocomplete from the embedding-bank vocabulary; Enter adds or runs. Or a
 * protocol: its structures, named and coloured, run as one job. */
export function PromptPanel({ api, disabled, onRun, protocols, modality, onRunProtocol }: Props) {
  const [text, setText] = useState('')
  const [chips, setChips] = useState<string[]>([])
  const [suggestions, setSuggestions] = useState<string[]>([])
  const [highlight, setHighlight] = useState(-1)
  /** the text the suggestions were asked for (an empty list for it means: nothing matches) */
  const [askedFor, setAskedFor] = useState<string | null>(null)
  const [options, setOptions] = useState<JobOptions>({ keep_largest_component: false, fill_holes: false })
  /** the chosen protocol (null: free-text prompts); one the server no longer has counts as none */
  const [chosen, setChosen] = useState<string | null>(null)
  const protocol = protocols?.find((p) => p.id === chosen) ?? null

  useEffect(() => {
    const q = text.trim()
    if (!q) {
      setSuggestions([])
      setAskedFor(null)
      return
    }
    const timer = window.setTimeout(() => {
      api.prompts(q).then((list) => {
        setSuggestions(list)
        setAskedFor(q)
        setHighlight(-1)
      }).catch(() => {
        setSuggestions([])
        setAskedFor(null)
      })
    }, 150)
    return () => window.clearTimeout(timer)
  }, [api, text])

  const add = (value: string) => {
    const v = value.trim()
    if (v && !chips.includes(v)) setChips([...chips, v])
    setText('')
    setSuggestions([])
    setHighlight(-1)
  }
  const run = () => {
    if (protocol) {
      onRunProtocol(protocol.id)
      return
    }
    const prompts = text.trim() ? [...chips, text.trim()] : chips
    if (!prompts.length) return
    onRun(Array.from(new Set(prompts)), options)
    setChips([])
    setText('')
  }

  return (
    <section className="panel">
      <h2>Prompts</h2>
      <ProtocolPicker protocols={protocols} modality={modality} chosen={protocol?.id ?? null} onChoose={setChosen} />
      {!protocol && (
        <>
          <div className="chips" data-testid="prompt-chips">
            {chips.map((chip) => (
              <span className="chip" key={chip} data-testid="prompt-chip">
                {chip}
                <button aria-label={`remove ${chip}`} data-testid="chip-remove" onClick={() => setChips(chips.filter((c) => c !== chip))}>×</button>
              </span>
            ))}
          </div>
          <input
            data-testid="prompt-input"
            placeholder='e.g. "left kidney" — Enter to add, Ctrl+Enter to run'
            value={text}
            list="prompt-suggestions"
            onChange={(e) => setText(e.target.value)}
            aria-autocomplete="list"
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'Escape') {
                e.preventDefault()
                setHighlight(moveHighlight(highlight, suggestions.length, e.key))
              } else if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && highlight >= 0 && suggestions[highlight]) {
                e.preventDefault()
                add(suggestions[highlight])
              } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || !text.trim())) {
                e.preventDefault()
                run()
              } else if (e.key === 'Enter') {
                e.preventDefault()
                add(text)
              }
            }}
          />
          <ul className="suggestions" data-testid="prompt-suggestions">
            {suggestions.map((s, i) => (
              <li key={s}>
                <button className={i === highlight ? 'active' : ''} aria-selected={i === highlight}
                  data-testid="prompt-suggestion" onClick={() => add(s)}>{s}</button>
              </li>
            ))}
            {!suggestions.length && askedFor !== null && askedFor === text.trim() && (
              <li className="no-match" data-testid="prompt-no-match">no match</li>
            )}
          </ul>
          <label>
            <input type="checkbox" data-testid="opt-largest" checked={options.keep_largest_component}
              onChange={(e) => setOptions({ ...options, keep_largest_component: e.target.checked })} />
            keep largest component
          </label>
          <label>
            <input type="checkbox" data-testid="opt-fill" checked={options.fill_holes}
              onChange={(e) => setOptions({ ...options, fill_holes: e.target.checked })} />
            fill holes
          </label>
        </>
      )}
      <button className="primary" data-testid="run-button" disabled={disabled || (!protocol && !chips.length && !text.trim())}
        onClick={run}>
        {protocol ? `Segment ${protocol.structures.length} structures` : 'Segment'}
      </button>
    </section>
  )
}
