import type { Measurements } from '../hooks/useMeasurements'
import { PLANE_NAME, DEPTH, type Measurement } from '../lib/measurements'
import { formatValue } from '../lib/format'

interface Props {
  measurements: Measurements
  disabled: boolean
  unit: string | null
  onCsv: () => void
}

function words(m: Measurement, unit: string | null): string {
  if (m.kind === 'distance') return `${m.mm.toFixed(1)} mm`
  const { mean, sd, min, max, n, areaMm2 } = m.stats
  const v = (x: number) => formatValue(Number(x.toFixed(2)), unit)
  return `mean ${v(mean)} ± ${sd.toFixed(1)} · min ${v(min)} · max ${v(max)} · ${n} px, ${(areaMm2 / 100).toFixed(2)} cm²`
}

/** Distances and ROIs on the 2D views: two clicks each; listed with the case, removable, as CSV. */
export function MeasurePanel({ measurements, disabled, unit, onCsv }: Props) {
  const { list, mode, first, start, remove, clear } = measurements
  const hint = mode === 'distance' ? (first ? 'click the second point' : 'click the first point')
    : mode === 'roi' ? (first ? 'click the opposite corner on the same slice' : 'click one corner of the rectangle') : null
  return (
    <section className="panel" data-testid="measure-panel">
      <h2>Measurements</h2>
      <div className="row-tools measure-tools">
        <button data-testid="measure-distance" disabled={disabled} aria-pressed={mode === 'distance'}
          onClick={() => start(mode === 'distance' ? null : 'distance')}>Distance</button>
        <button data-testid="measure-roi" disabled={disabled} aria-pressed={mode === 'roi'}
          onClick={() => start(mode === 'roi' ? null : 'roi')}>ROI</button>
        <button data-testid="measure-csv" disabled={!list.length} onClick={onCsv}>CSV</button>
        <button data-testid="measure-clear" disabled={!list.length} onClick={clear}>Clear</button>
      </div>
      {hint && <p className="hint" data-testid="measure-hint">{hint}</p>}
      <ul className="measurements" data-testid="measurements">
        {list.map((m) => (
          <li key={m.id} data-testid="measurement" data-id={m.id} data-kind={m.kind}
            data-value={m.kind === 'distance' ? m.mm : m.stats.mean} data-sd={m.kind === 'roi' ? m.stats.sd : undefined}
            data-min={m.kind === 'roi' ? m.stats.min : undefined} data-max={m.kind === 'roi' ? m.stats.max : undefined}
            data-n={m.kind === 'roi' ? m.stats.n : undefined}>
            <span className="stats">
              {m.kind === 'distance' ? 'Distance' : 'ROI'} {m.id} ({PLANE_NAME[m.a.plane]} {m.a.vox[DEPTH[m.a.plane]]}):{' '}
              <b data-testid="measurement-value">{words(m, unit)}</b>
            </span>
            <button className="icon" data-testid="measurement-delete" aria-label={`delete measurement ${m.id}`}
              onClick={() => remove(m.id)}>×</button>
          </li>
        ))}
      </ul>
    </section>
  )
}
