/**
 * The app's names for the server's JSON (see backend/API.md). They are derived from schema.d.ts,
 * which is generated from the server's OpenAPI document (`npm run gen:api`, `make api-types`;
 * `npm run check:api` fails when it is out of date): a field the server changes is a type error
 * here or where the app reads it. Where the app needs a narrower type than the schema says,
 * {@link Narrow} narrows that field and checks that the narrow type still fits the schema.
 */

import type { components, paths } from './schema'

type Schemas = components['schemas']

/**
 * ``T`` with the fields named in ``N`` given ``N``'s (narrower) types. Each must be assignable to the
 * schema's type of that field, and name a field of ``T``: else this is a type error.
 */
type Narrow<T, N extends { [K in keyof N]: K extends keyof T ? T[K] : never }> = Omit<T, keyof N> & N

export type MaskResult = Narrow<Schemas['MaskResult'], {
  /** world RAS millimetres of the mask voxel nearest to its centroid ("go to" lands here): x, y, z */
  centre_mm?: [number, number, number] | null
}>

export type JobStatus = Narrow<Schemas['JobStatus'], { results: MaskResult[] }>
export type JobState = JobStatus['status']
/** What a job is doing, in the server's words (shown in plain words by lib/phases.ts). */
export type JobPhase = JobStatus['phase']
export type PhaseLogEntry = Schemas['PhaseEntry']
export type JobOptions = Schemas['JobOptions']

export type VolumeInfo = Schemas['VolumeInfo']
export type ServerInfo = Schemas['Info']

/** A rename and/or recolour of one result (PATCH /api/jobs/{id}/masks/{i}). */
export type MaskPatch = Schemas['MaskUpdate']

/** A study found in the configured DICOMweb archive (QIDO-RS). */
export type PacsStudy = Schemas['PacsStudy']
export type PacsSeries = Schemas['PacsSeries']
/** What the archive stored: the new series of a DICOM SEG or RTSTRUCT. */
export type PacsStored = Schemas['PacsStored']
/** The search fields of GET /api/pacs/studies (the page size is the client's). */
export type PacsStudyQuery = Omit<NonNullable<paths['/api/pacs/studies']['get']['parameters']['query']>, 'limit' | 'offset'>

/**
 * One series of an upload that holds several (the 409 of POST /api/volumes). The schema types
 * ``SeriesChoice.series`` as free-form objects; these are the fields the server puts in each.
 */
export interface DicomSeries {
  series_uid: string
  description: string
  modality: string
  slices: number
  size: number[]
}

export const TERMINAL: JobState[] = ['done', 'failed', 'cancelled']

/** The files a case can be exported as (POST /api/volumes/{id}/export). */
export type CaseExport = Schemas['CaseExport']
export type ExportKind = CaseExport['format']
/** One mask of a case: a job of its volume and a result index of that job. */
export type MaskRef = Schemas['MaskRef']

/** Who is signed in (GET /api/me). */
export type Me = Schemas['Me']
/** A project the signed-in person belongs to (GET /api/me). */
export type ProjectRef = Schemas['ProjectRef']
/** How to sign in to the server (GET /api/sign-in, asked before signing in). */
export type SignInOptions = Schemas['SignIn']
export type OidcSignIn = Schemas['OidcSignIn']
export type Role = Me['role']
/** A personal API token (never its secret); ``TokenCreated`` carries the text, once. */
export type TokenInfo = Schemas['TokenInfo']
export type TokenCreated = Schemas['TokenCreated']
export type TokenCreate = Schemas['TokenCreate']
/** A person as the administrators see them (GET /api/admin/users). */
export type UserInfo = Schemas['UserInfo']
export type UserUpdate = Schemas['UserUpdate']
export type ProjectInfo = Schemas['ProjectInfo']
export type AuditEvent = Schemas['AuditEventInfo']
export type AuditAction = Schemas['AuditAction']
/** The filters of GET /api/admin/audit. */
export type AuditQuery = NonNullable<paths['/api/admin/audit']['get']['parameters']['query']>
/** What the upload said about whom and what a volume shows (patient data: shown, never logged). */
export type VolumeHeader = Schemas['VolumeHeader']

/** A protocol: a named set of structures run as one job (GET /api/protocols). */
export type ProtocolInfo = Schemas['ProtocolInfo']
/** A protocol as an administrator writes it (PUT /api/protocols/{id}). */
export type ProtocolBody = Schemas['ProtocolBody']
export type StructureSpec = Schemas['StructureSpec']
export type InterpretedType = NonNullable<StructureSpec['interpreted_type']>
export type ProtocolModality = NonNullable<ProtocolBody['modality']>
/** A series the DICOM node received, with its rule, job, review and sends (GET /api/dicom/series). */
export type DicomSeriesInfo = Schemas['DicomSeriesInfo']
export type DicomSeriesState = DicomSeriesInfo['state']
/** One destination's send of a series' results. */
export type DicomSendInfo = Schemas['DicomSendInfo']
export type DicomNodeStatus = Schemas['DicomNodeStatus']
