// Typed calls for the bulletins (通报, docs/api.md "Bulletins").
import { api, buildUrl, type RequestOptions } from './client'

export type BulletinKind = 'weekly' | 'monthly' | 'special'
export type BulletinState = 'draft' | 'submitted' | 'approved' | 'published'
export type BulletinAction = 'submit' | 'withdraw' | 'reject' | 'approve' | 'publish'

export interface BulletinSection {
  kind: string
  heading: string
  text: string
}

export interface BulletinTypical {
  case_id: number
  case_no: string
  title: string
  address: string
  unit: string
  closed_on: string
  before: { id: number; sha256: string }
  after: { id: number; sha256: string }
}

/** The figures frozen when the draft was made (a published bulletin prints these). */
export interface BulletinSnapshot {
  period: { kind: string; from: string; to: string }
  as_of_seq: number
  figures: Record<string, string>
  totals: { reported: number; dispatched: number; due: number; closed: number; overdue: number }
  ranking: { columns: string[]; rows: { unit_id: number; cells: string[] }[] }
  red: { unit_id: number; name: string }[]
  black: { unit_id: number; name: string }[]
  overdue: { case_id: number; case_no: string; title: string; address: string; unit: string }[]
  typical: BulletinTypical[]
}

export interface Bulletin {
  id: number
  kind: BulletinKind
  state: BulletinState
  title: string
  period: { kind: string; from: string; to: string }
  version: number
  number: string | null
  scheduled: boolean
  created_at: string
  updated_at: string
  submitted_by: number | null
  approved_by: number | null
  submitted_at: string | null
  approved_at: string | null
  published_at: string | null
  pdf_sha256: string | null
  recipients: number[]
  allowed: Record<'edit' | BulletinAction, boolean>
  sections?: BulletinSection[]
  snapshot?: BulletinSnapshot
}

export interface BulletinPage {
  items: Bulletin[]
  next_cursor: string | null
}

export interface BulletinEdit {
  version: number
  title?: string
  sections?: BulletinSection[]
  recipients?: number[]
  typical_case_ids?: number[]
}

export const bulletinsApi = {
  list: (q: { state?: BulletinState; kind?: BulletinKind; cursor?: string | null; limit?: number }, opts: RequestOptions = {}) =>
    api.get<BulletinPage>('/bulletins', q, opts),
  get: (id: number, opts: RequestOptions = {}) => api.get<Bulletin>(`/bulletins/${id}`, undefined, opts),
  draft: (body: { kind: BulletinKind; date?: string; from?: string; to?: string }, opts: RequestOptions = {}) =>
    api.post<Bulletin>('/bulletins', body, opts),
  save: (id: number, body: BulletinEdit, opts: RequestOptions = {}) => api.put<Bulletin>(`/bulletins/${id}`, body, opts),
  act: (id: number, action: BulletinAction, version?: number, note?: string, opts: RequestOptions = {}) =>
    api.post<Bulletin>(`/bulletins/${id}/transitions`, { action, version, note: note || undefined }, opts),
}

/** The PDF (the archived file once published, else a preview marked 草稿). */
export const bulletinPdfUrl = (id: number): string => buildUrl(`/bulletins/${id}.pdf`)

/** One section of a kind in the template: message keys of its heading and paragraphs. */
export interface TemplateSection {
  kind: string
  heading: string
  text: string
  /** The paragraph when the section lists nothing (only kinds that list something). */
  text_empty?: string
}

export interface TemplateSchedule {
  kind: 'weekly' | 'monthly'
  weekday?: number
  day?: number
  time: string
}

/** The template document (`civicloop-bulletins/1`, the preset's bulletins.json). */
export interface BulletinTemplate {
  format: string
  note?: string
  number_format?: string
  ranking_columns?: string[]
  overdue_max?: number
  typical_max?: number
  kinds: Record<string, { title: string; sections: TemplateSection[] }>
  schedule?: TemplateSchedule[]
  [other: string]: unknown
}

/** The section kinds, figures and ranking columns the server knows (domain/bulletin.cpp). */
export const SECTION_KINDS = ['overview', 'ranking', 'red_black', 'overdue', 'typical', 'praise', 'criticism', 'requirements', 'text'] as const
/** Section kinds that list something: only they may have a text_empty paragraph. */
export const LISTING_KINDS = ['praise', 'criticism', 'overdue', 'typical']
export const RANKING_COLUMNS = ['rank', 'unit', 'score', 'grade', 'due', 'closed', 'overdue', 'closed_on_time', 'closure', 'ack_on_time', 'rework', 'overdue_rate'] as const
export const FIGURE_NAMES = [
  'from', 'to', 'year', 'period',
  'reported', 'dispatched', 'due', 'closed', 'overdue',
  'closed_on_time_rate', 'closure_rate', 'ack_on_time_rate', 'rework_rate', 'overdue_rate', 'extension_rate',
  'units_ranked', 'units_insufficient', 'first_unit', 'last_unit', 'red_units', 'black_units', 'red_count', 'black_count',
  'overdue_count', 'typical_count',
] as const

export const bulletinTemplateApi = {
  get: (opts: RequestOptions = {}) => api.get<BulletinTemplate>('/bulletin-template', undefined, opts),
  save: (doc: BulletinTemplate, opts: RequestOptions = {}) => api.put<BulletinTemplate>('/bulletin-template', doc, opts),
}
