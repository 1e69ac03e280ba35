// Typed calls for meetings (例会, 推进会) and their action items (docs/api.md "Meetings").
import { api, buildUrl, type RequestOptions } from './client'
import { currentLang } from '../i18n'

export type MeetingKind = 'regular' | 'progress' | 'special'
export type MeetingState = 'scheduled' | 'minuted' | 'cancelled'
export type LimitUnitName = 'urgent_hours' | 'working_hours' | 'working_days' | 'calendar_days'

export interface Attendee {
  unit_id: number | null
  person_id: number | null
}
export interface AgendaItem {
  title: string
  minutes: string
}
export interface Decision {
  text: string
  owner_unit_id: number | null
  owner_person_id: number | null
  limit: { amount: number; unit: LimitUnitName }
}
export interface Meeting {
  id: number
  kind: MeetingKind
  title: string
  starts_at: string
  place: string
  state: MeetingState
  attendees: Attendee[]
  agenda: AgendaItem[]
  decisions: Decision[]
  issued_at: string | null
  created_at: string
  updated_at: string
  version: number
}
export interface ActionItem {
  id: number
  meeting_id: number
  seq: number
  text: string
  owner_unit_id: number
  owner_unit_name: string
  owner_person_id: number | null
  limit: { amount: number; unit: LimitUnitName }
  deadline: string
  deadline_estimated: boolean
  state: 'open' | 'done'
  overdue: boolean
  escalation_level: number
  warned_percent: number
  close_note: string
  closed_at: string | null
  closed_by: number | null
  has_photo: boolean
  photo_flags: string
  version: number
}
export interface MeetingView {
  meeting: Meeting
  items: ActionItem[]
}
export interface Page<T> {
  items: T[]
  next_cursor: string | null
}
export interface MeetingInput {
  kind: MeetingKind
  title: string
  starts_at: string
  place: string
  attendees: Attendee[]
  agenda: AgendaItem[]
  decisions: Decision[]
}
export interface ReportUnit {
  id: number
  name: string
  due: number
  closed: number
  overdue: number
  reworked: number
  score: number | null
  grade: string
  rank: number | null
  red: boolean
  black: boolean
}
export interface MeetingReport {
  kind: MeetingKind
  since: string
  until: string
  frozen: boolean
  period?: { from: string; to: string }
  units: ReportUnit[]
  escalations: { items: { case_id: number; case_no: string; title: string; unit: string; at: string; note: string }[]; more: boolean }
  gaps?: {
    black_listed: ReportUnit[]
    overdue_cases: { id: number; name: string; open: number; overdue: number }[]
    reworked: ReportUnit[]
    open_items: { id: number; meeting_id: number; text: string; owner: string; deadline: string; overdue: boolean; escalation_level: number }[]
  }
}

export const meetingsApi = {
  list: (kind?: MeetingKind, cursor?: string | null) => api.get<Page<Meeting>>('/meetings', { kind, cursor, limit: 50 }),
  get: (id: number) => api.get<MeetingView>(`/meetings/${id}`),
  create: (m: MeetingInput, opts: RequestOptions = {}) => api.post<MeetingView>('/meetings', m, opts),
  update: (id: number, m: MeetingInput, version: number, opts: RequestOptions = {}) =>
    api.put<MeetingView>(`/meetings/${id}`, { ...m, version }, opts),
  issue: (id: number, version: number) => api.post<MeetingView>(`/meetings/${id}/issue`, { version }),
  cancel: (id: number, version: number) => api.post<MeetingView>(`/meetings/${id}/cancel`, { version }),
  report: (id: number) => api.get<{ report: MeetingReport }>(`/meetings/${id}/report`),
  items: (q: { meeting_id?: number; state?: string; overdue?: boolean } = {}) =>
    api.get<Page<ActionItem>>('/action-items', { ...q, limit: 200 }),
  close: (id: number, note: string, photo: Blob, version: number) =>
    api.post<{ item: ActionItem }>(`/action-items/${id}/close`, photo, { query: { note, version } }),
}

export const minutesPdfUrl = (id: number): string => buildUrl(`/api/v1/meetings/${id}/minutes.pdf`, { lang: currentLang() })
export const itemPhotoUrl = (id: number, thumb = false): string =>
  buildUrl(`/api/v1/action-items/${id}/photo${thumb ? '/thumbnail' : ''}`)
