import type { DicomSeries } from '../api/types'

interface Props {
  choice: { files: File[]; series: DicomSeries[] }
  onPick: (files: File[], seriesUid: string) => void
}

/** Several DICOM series in one upload: the user picks one (nothing is chosen silently). */
export function SeriesPicker({ choice, onPick }: Props) {
  return (
    <section className="panel" data-testid="series-picker">
      <h2>Choose a series</h2>
      <ul className="series">
        {choice.series.map((series) => (
          <li key={series.series_uid}>
            <button data-testid="series-option" onClick={() => onPick(choice.files, series.series_uid)}>
              {series.modality} · {series.description || 'no description'} · {series.slices} slices ·{' '}
              {series.size.join('×')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
