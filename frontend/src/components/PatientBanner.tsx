import type { BannerField } from '../lib/patient'

interface Props {
  /** the open case's fields (lib/patient.ts: bannerFields); null while no case is open */
  fields: BannerField[] | null
}

/** Who and what the images show, above the views at all times (patient data: shown, never logged). */
export function PatientBanner({ fields }: Props) {
  return (
    <div className="patient-banner" data-testid="patient-banner" role="status" aria-label="patient and study">
      {!fields && <span className="hint" data-testid="patient-banner-empty">no case open</span>}
      {fields?.length === 0 && <span className="hint" data-testid="patient-banner-empty">no patient details in this file</span>}
      {fields?.map((f) => (
        <span key={f.key} className={`field ${f.key}`} data-testid={`patient-${f.key}`} title={`${f.label}: ${f.value}`}>
          {f.key !== 'name' && <span className="label">{f.label}</span>}
          {f.value}
        </span>
      ))}
    </div>
  )
}
