import type { ViewName } from '../hooks/useNiivue'

export interface ViewerOptions {
  radiological: boolean
  crosshair: boolean
  outline: boolean
  pan: boolean
}

interface Props {
  view: ViewName
  options: ViewerOptions
  onView: (view: ViewName) => void
  onOptions: (change: Partial<ViewerOptions>) => void
  onZoom: (factor: number) => void
  onResetZoom: () => void
  onHelp: () => void
}

const VIEWS: [ViewName, string, string][] = [
  ['axial', 'Axial', 'axial slices'], ['coronal', 'Coronal', 'coronal slices'], ['sagittal', 'Sagittal', 'sagittal slices'],
  ['multiplanar', 'MPR', 'axial, coronal, sagittal and 3D'], ['render', '3D', '3D rendering with mask surfaces'],
]

/** Views, display convention, crosshair, fill/outline, pan/zoom and the shortcuts list (one row). */
export function ViewerToolbar({ view, options, onView, onOptions, onZoom, onResetZoom, onHelp }: Props) {
  return (
    <div className="toolbar" data-testid="toolbar">
      <div className="group" role="group" aria-label="view">
        {VIEWS.map(([v, label, title]) => (
          <button key={v} data-testid={`view-${v}`} className={v === view ? 'active' : ''} aria-pressed={v === view}
            title={title} onClick={() => onView(v)}>{label}</button>
        ))}
      </div>
      <div className="group">
        <button data-testid="convention" data-value={options.radiological ? 'radiological' : 'neurological'}
          title={options.radiological ? 'radiological: patient left on screen right (click for neurological)'
            : 'neurological: patient left on screen left (click for radiological)'}
          onClick={() => onOptions({ radiological: !options.radiological })}>
          {options.radiological ? 'Radiological' : 'Neurological'}
        </button>
        <button data-testid="crosshair-toggle" aria-pressed={options.crosshair} className={options.crosshair ? 'active' : ''}
          title="show / hide the crosshair (x)" onClick={() => onOptions({ crosshair: !options.crosshair })}>✛</button>
        <button data-testid="outline-toggle" data-value={options.outline ? 'outline' : 'fill'}
          title="masks filled or outlined (o)" onClick={() => onOptions({ outline: !options.outline })}>
          {options.outline ? 'Outline' : 'Fill'}
        </button>
      </div>
      <div className="group">
        <button data-testid="pan-toggle" aria-pressed={options.pan} className={options.pan ? 'active' : ''}
          title="pan/zoom mode: drag pans, the wheel zooms" onClick={() => onOptions({ pan: !options.pan })}>✥</button>
        <button data-testid="zoom-out" title="zoom out (−)" onClick={() => onZoom(0.8)}>−</button>
        <button data-testid="zoom-in" title="zoom in (+)" onClick={() => onZoom(1.25)}>+</button>
        <button data-testid="zoom-reset" title="reset zoom and pan (0)" onClick={onResetZoom}>⟲</button>
        <button data-testid="help-button" title="keyboard shortcuts (?)" onClick={onHelp}>?</button>
      </div>
    </div>
  )
}
