// Typed calls for the closed loop: cases, attachments, notices, lists, configuration and
// notifications (docs/api.md, "Cases: the closed loop").
import { api, buildUrl, type Query, type RequestOptions } from './client'
import { currentLang } from '../i18n'
import type {
  ActionNeeds,
  Attachment,
  AttachmentStage,
  Case,
  CaseDetail,
  CaseSource,
  CategoriesAnswer,
  Category,
  Items,
  NoticeKind,
  Notice,
  NotificationPage,
  Page,
  ReportAnswer,
  ResponsibilityRow,
  RoutePreview,
  RoutingRule,
  TransitionBody,
  Webhook,
  WebhookFlavour,
  WorkCalendar, WorkflowSettings, WorkflowView,
} from './types'

/** The filters of the problem list; the same ones drive its Excel export. */
export interface CaseFilters {
  state?: string
  open?: boolean
  unit_id?: number
  subdistrict_id?: number
  community_id?: number
  grid_id?: number
  category?: string
  source?: CaseSource | ''
  from?: string
  to?: string
  /** Dispatched within these days (the KPI cohorts: due, closed, open ...). */
  dispatched_from?: string
  dispatched_to?: string
  /** Closed out within these days (the dashboard's close-outs of a day). */
  closed_from?: string
  closed_to?: string
  overdue?: boolean
  /** Escalated at least once (督办). */
  escalated?: boolean
  /** Only recurrences (举一反三), optionally those counted against one unit (a KPI figure's link). */
  recurrence?: boolean
  recurrence_unit_id?: number
  /** The cases one person reported (staff only; a KPI reporter figure's link). */
  reporter_id?: number
  /** The cases a supervision group (督导组) oversees (a KPI group figure's link). */
  supervising_group_id?: number
  q?: string
}

export interface NewCaseBody {
  category: string
  title?: string
  description?: string
  address?: string
  lat?: number
  lng?: number
  source?: CaseSource
}

export const casesApi = {
  report: (body: NewCaseBody, opts: RequestOptions = {}) => api.post<ReportAnswer>('/cases', body, opts),
  /** photos 'before': each case with its before_photos (the triage queue). */
  list: (q: CaseFilters & { limit?: number; cursor?: string | null; photos?: 'before' }, opts: RequestOptions = {}) =>
    api.get<Page<Case>>('/cases', q as Query, opts),
  get: (id: number, opts: RequestOptions = {}) => api.get<CaseDetail>(`/cases/${id}`, undefined, opts),
  transition: (id: number, body: TransitionBody, opts: RequestOptions = {}) =>
    api.post<CaseDetail>(`/cases/${id}/transitions`, body, opts),
  /** The photo's bytes as the body; the stage in the query. */
  upload: (id: number, stage: AttachmentStage, file: Blob, opts: RequestOptions = {}) =>
    api.post<Attachment>(`/cases/${id}/attachments`, file, { ...opts, query: { stage } }),
  routePreview: (q: { category: string; lat: number; lng: number }, opts: RequestOptions = {}) =>
    api.get<RoutePreview>('/cases/route-preview', q, opts),
  nearby: (q: { category: string; lat: number; lng: number }, opts: RequestOptions = {}) =>
    api.get<Items<Case>>('/cases/nearby', q, opts),

  createNotice: (body: { case_ids: number[]; unit_id?: number; kind: NoticeKind; requirement: string }) =>
    api.post<Notice>('/notices', body),
  notices: (q: { unit_id?: number; open?: boolean; limit?: number; cursor?: string | null }) =>
    api.get<Page<Notice>>('/notices', q as Query),
  notice: (id: number, opts: RequestOptions = {}) => api.get<Notice>(`/notices/${id}`, undefined, opts),

  responsibility: (q: { unit_id?: number } = {}) => api.get<Items<ResponsibilityRow>>('/responsibility', q),

  categories: (opts: RequestOptions = {}) => api.get<CategoriesAnswer>('/categories', undefined, opts),
  updateCategory: (code: string, body: Partial<Category> & { version: number }) =>
    api.put<Category>(`/categories/${encodeURIComponent(code)}`, body),
  routingRules: () => api.get<Items<RoutingRule>>('/routing-rules'),
  saveRoutingRules: (items: RoutingRule[]) => api.put<Items<RoutingRule>>('/routing-rules', { items }),
  calendar: () => api.get<WorkCalendar>('/calendar'),
  workflow: () => api.get<WorkflowView>('/workflow'),
  saveWorkflow: (body: WorkflowSettings) => api.put<WorkflowView>('/workflow', body),
  saveCalendarYear: (year: number, body: { holidays: string[]; makeup_workdays: string[] }) =>
    api.put<WorkCalendar>(`/calendar/years/${year}`, body),

  notifications: (q: { unread?: boolean; limit?: number; cursor?: string | null }, opts: RequestOptions = {}) =>
    api.get<NotificationPage>('/notifications', q as Query, opts),
  readNotification: (id: number) => api.post<void>(`/notifications/${id}/read`, undefined, { silent: true }),
  readAllNotifications: () => api.post<void>('/notifications/read-all'),

  webhooks: () => api.get<Items<Webhook>>('/webhooks'),
  createWebhook: (body: { name: string; flavour: WebhookFlavour; url: string; secret?: string; unit_id?: number }) =>
    api.post<Webhook>('/webhooks', body),
  deleteWebhook: (id: number) => api.del(`/webhooks/${id}`),
}

/** Keeps only the filters that are set, as query parameters. */
export function filterQuery(f: CaseFilters): Query {
  const out: Query = {}
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined || v === null || v === '' || v === false) continue
    out[k] = v as string | number | boolean
  }
  return out
}

// Documents open in a new tab or download, without the app's Accept-Language: they name the app's
// language in `lang`, so that an English session gets English headers and PDF text.
const withLang = (q: Query = {}): Query => ({ ...q, lang: currentLang() })
export const casesXlsxUrl = (f: CaseFilters): string => buildUrl('/cases.xlsx', withLang(filterQuery(f)))
export const noticesXlsxUrl = (q: { unit_id?: number; open?: boolean }): string => buildUrl('/notices.xlsx', withLang(q as Query))
export const responsibilityXlsxUrl = (): string => buildUrl('/api/v1/responsibility.xlsx', withLang())
export const noticePdfUrl = (id: number): string => buildUrl(`/api/v1/notices/${id}.pdf`, withLang())

export type { ActionNeeds } from './types'

/** What the action needs on this case, from the case view's `actions` (the actions this actor may
 * take now, each with its needs); undefined when the action is not among them. */
export function needsOf(detail: CaseDetail | null | undefined, action: string | null | undefined): ActionNeeds | undefined {
  if (!detail || !action) return undefined
  return detail.actions?.find((x) => x.action === action)
}

let categoriesCache: Promise<CategoriesAnswer> | null = null
/** The category catalogue: fetched once per page load (the settings page refreshes it). */
export function loadCategories(refresh = false): Promise<CategoriesAnswer> {
  if (!categoriesCache || refresh) {
    categoriesCache = casesApi.categories({ silent: true }).then(
      (r) => r,
      (e) => {
        categoriesCache = null
        throw e
      },
    )
  }
  return categoriesCache
}
