import { useEffect, useState } from 'react'
import type { ApiClient } from '../api/client'
import type { JobOptions } from '../api/types'
import { moveHighlight } from '../lib/keys'

interface Props {
  api: ApiClient
  disabled: boolean
  onRun: (prompts: string[], options: JobOptions) => void
}

/** Prompt chips with autocomplete from the embedding-bank vocabulary; Enter adds or runs. */
export function PromptPanel({ api, disabled, onRun }: Props) {
  const [text, setText] = useState('')
  const [chips, setChips] = useState<string[]>([])
  const [suggestions, setSuggestions] = useState<string[]>([])
  const [highlight, setHighlight] = useState(-1)
  /** the text the suggestions were asked for (an empty list for it means: nothing matches) */
  const [askedFor, setAskedFor] = useState<string | null>(null)
  const [options, setOptions] = useState<JobOptions>({ keep_largest_component: false, fill_holes: false })

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
    const prompts = text.trim() ? [...chips, text.trim()] : chips
    if (!prompts.length) return
    onRun(Array.from(new Set(prompts)), options)
    setChips([])
    setText('')
  }

  return (
    <section className="panel">
      <h2>Prompts</h2>
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
      <button className="primary" data-testid="run-button" disabled={disabled || (!chips.length && !text.trim())}
        onClick={run}>
        Segment
      </button>
    </section>
  )
}
