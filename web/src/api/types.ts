// Shapes of the civicloop JSON API v1, as written in docs/api.md (the contract).

export type Role =
  | 'hq_admin'
  | 'hq_staff'
  | 'leader'
  | 'supervisor'
  | 'task_force_member'
  | 'unit_operator'
  | 'grid_worker'
  | 'citizen'

export const ROLES: Role[] = [
  'hq_admin',
  'hq_staff',
  'leader',
  'supervisor',
  'task_force_member',
  'unit_operator',
  'grid_worker',
  'citizen',
]

export type UnitKind =
  | 'hq'
  | 'hq_office'
  | 'supervision_group'
  | 'task_force'
  | 'department'
  | 'subdistrict'
  | 'community'
  | 'village'
  | 'grid'
  | 'enforcement_team'
  | 'enterprise'

export const UNIT_KINDS: UnitKind[] = [
  'hq',
  'hq_office',
  'supervision_group',
  'task_force',
  'department',
  'subdistrict',
  'community',
  'village',
  'grid',
  'enforcement_team',
  'enterprise',
]

export interface Tenant {
  code: string
  name: string
  name_en: string | null
}

export interface User {
  id: number
  username: string
  role: Role
  display_name: string | null
  unit_id: number | null
  person_id: number | null
  disabled: boolean
  /** Two-step sign-in (TOTP) is on. */
  totp_enabled: boolean
  tenant: Tenant
  permissions: string[]
}

export interface TotpSetup {
  secret: string
  otpauth_uri: string
  /** The URI as a QR code (SVG text). */
  qr_svg: string
}

export interface SessionAnswer {
  user: User
  csrf_token: string
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface Items<T> {
  items: T[]
}

/** GeoJSON Polygon, kept opaque here. */
export interface GeoPolygon {
  type: string
  coordinates: unknown
}

export interface Unit {
  id: number
  parent_id: number | null
  kind: UnitKind
  code: string | null
  name: string
  name_en: string | null
  duties: string
  boundary: GeoPolygon | null
  sort_order: number
  is_demo: boolean
  retired: boolean
  version: number
  child_count: number
}

export interface Person {
  id: number
  name: string
  phone: string | null
  title: string | null
  is_demo: boolean
  retired: boolean
  version: number
}

export interface Membership {
  id: number
  person_id: number
  person_name: string
  unit_id: number
  unit_name: string
  post_code: string
  post_name: string
  /** Not in docs/api.md, but sent by the server; used when present. */
  post_name_en?: string | null
  is_head: boolean
}

export interface UnitCard extends Unit {
  /** docs/api.md says Person; the server sends the head's Membership. Read with headOfCard(). */
  head: Person | Membership | null
  member_count: number
  members: Membership[]
}

/** The head's name and title, whichever shape the card's `head` has. */
export function headOfCard(card: UnitCard): { name: string; title: string | null } | null {
  const h = card.head
  if (h && 'person_name' in h) return { name: h.person_name, title: null }
  if (h && 'name' in h) return { name: h.name, title: h.title ?? null }
  const m = card.members.find((x) => x.is_head)
  return m ? { name: m.person_name, title: null } : null
}

export interface OrgStructure {
  hq: UnitCard
  office: UnitCard | null
  supervision_groups: UnitCard[]
  task_forces: UnitCard[]
}

export interface Post {
  code: string
  name: string
  name_en: string | null
}

export interface Liaison {
  id: number
  unit_id: number
  unit_name: string
  leader_id: number
  leader_name: string
}

export interface UnitDetail {
  unit: Unit
  ancestors: Unit[]
  children: Unit[]
  members: Membership[]
  liaison: Liaison | null
}

export interface PersonDetail {
  person: Person
  memberships: Membership[]
  liaisons: Liaison[]
}

export interface ImportResult {
  created: number
  updated: number
}

export interface LedgerEvent {
  seq: number
  at: string
  actor_user_id: number | null
  actor_name: string | null
  entity_type: string
  entity_id: number | string
  action: string
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  note: string | null
  hash: string
}

export type LedgerVerify =
  | { ok: true; events: number }
  | { ok: false; first_bad_seq: number; reason: 'altered' | 'missing' | string }

// --- the closed loop (docs/api.md "Cases: the closed loop") ------------------------------------

export type CaseState =
  | 'reported'
  | 'filed'
  | 'dispatched'
  | 'acknowledged'
  | 'rectified'
  | 'verified'
  | 'closed'
  | 'voided'
  | 'duplicate'
  | 'parked'

export const CASE_STATES: CaseState[] = [
  'reported',
  'filed',
  'dispatched',
  'acknowledged',
  'rectified',
  'verified',
  'closed',
  'voided',
  'duplicate',
  'parked',
]

export type CaseAction =
  | 'file'
  | 'void'
  | 'mark_duplicate'
  | 'dispatch'
  | 'acknowledge'
  | 'return'
  | 'request_extension'
  | 'decide_extension'
  | 'rectify'
  | 'verify'
  | 'close'
  | 'park'
  | 'unpark'
  | 'fix_on_site'
  | 'escalate'

export const CASE_ACTIONS: CaseAction[] = [
  'file',
  'void',
  'mark_duplicate',
  'dispatch',
  'acknowledge',
  'return',
  'request_extension',
  'decide_extension',
  'rectify',
  'verify',
  'close',
  'park',
  'unpark',
  'fix_on_site',
  'escalate',
]

export type CaseSource =
  | 'grid_patrol'
  | 'road_chief'
  | 'enforcement'
  | 'self_check'
  | 'inspection'
  | 'mock_evaluation'
  | 'citizen'
  | 'courier'
  | 'hotline'

export const CASE_SOURCES: CaseSource[] = [
  'grid_patrol',
  'road_chief',
  'enforcement',
  'self_check',
  'inspection',
  'mock_evaluation',
  'citizen',
  'courier',
  'hotline',
]

export type LimitUnit = 'urgent_hours' | 'working_hours' | 'working_days' | 'calendar_days'
export const LIMIT_UNITS: LimitUnit[] = ['urgent_hours', 'working_hours', 'working_days', 'calendar_days']

export type NoticeKind = 'rectification' | 'reminder'
export const NOTICE_KINDS: NoticeKind[] = ['rectification', 'reminder']

export type AttachmentStage = 'before' | 'after' | 'on_site'
export type AttachmentFlag = 'far_from_problem' | 'taken_before_dispatch' | 'taken_before_report' | 'no_gps' | 'no_time'

export interface Ref {
  id: number
  name: string
  name_en?: string | null
}

export interface CaseTimer {
  stage: 'acknowledge' | 'rectify' | 'verify'
  deadline_at: string
  estimated: boolean
  paused: boolean
  percent_used: number
}

export interface Case {
  id: number
  case_no: string
  state: CaseState
  source: CaseSource
  category: string
  category_name: string
  /** Sent by the server beside category_name (not in docs/api.md). */
  category_name_en?: string
  title: string
  description: string
  address: string
  lat: number | null
  lng: number | null
  grid: Ref | null
  community: Ref | null
  subdistrict: Ref | null
  /** Reported or filed with no area and no unit (a point outside the area, an address only): place it when dispatching. */
  needs_placement?: boolean
  assigned_unit: Ref | null
  supervising_group: Ref | null
  routing_rule: string | null
  duplicate_of: number | null
  /** The case closed at the same place within the workflow's recurrence_days (举一反三), and the unit it counts against. */
  recurrence_of?: number | null
  recurrence_unit?: Ref | null
  rework_count: number
  escalation_level: number
  extension_pending: boolean
  /** The pending request: amount, unit, reason, requested_at (server's shape, read loosely). */
  extension_request: Record<string, unknown> | string | null
  parked_from: CaseState | null
  park_review_date: string | null
  notice_id: number | null
  timer: CaseTimer | null
  overdue: boolean
  reporter_name: string
  reported_at: string
  filed_at: string | null
  dispatched_at: string | null
  rectified_at: string | null
  closed_at: string | null
  version: number
  /** Only in a list asked with photos=before (the triage queue): the case's before-photos with their checks. */
  before_photos?: Attachment[]
}

export interface Attachment {
  id: number
  case_id: number
  stage: AttachmentStage
  content_type: string
  size: number
  width: number
  height: number
  lat: number | null
  lng: number | null
  taken_at: string | null
  flags: AttachmentFlag[]
  distance_m: number | null
  uploaded_at: string
  url: string
  thumbnail_url: string
}

export interface Notice {
  id: number
  kind: NoticeKind
  number: string
  unit: Ref
  requirement: string
  deadline_at: string | null
  /** Null once every case of the notice is finished (open is false). */
  remaining_ms: number | null
  open: boolean
  issued_at: string
  case_ids: number[]
  pdf_url: string
  /** GET /notices/{id} adds the cases. */
  cases?: Case[]
}

/** One step of a case's history as its reporter sees it (no names, no notes). */
export interface PublicStep {
  at: string
  action: string
  state: string
}

export interface CaseDetail {
  case: Case
  /** 'reporter': a citizen (or anyone out of scope) following his own report: steps, not events. */
  view: 'staff' | 'reporter'
  steps: PublicStep[]
  events: LedgerEvent[]
  attachments: Attachment[]
  /** The actions this actor may take now, by name. */
  allowed: CaseAction[]
  /** The same actions, each with what it needs (the server's one table). */
  actions: ActionNeeds[]
  notice: Notice | null
}

/** What a case action needs, from the server's one table (the case view's `actions`). */
export interface ActionNeeds {
  action: CaseAction
  note: 'optional' | 'required' | 'if_failed' | 'if_refused' | 'if_other_unit'
  photo_stage: AttachmentStage | null
  required: string[]
  optional: string[]
}

/** A possible duplicate of a new report: enough to recognise it (the whole case: GET /cases/{id}). */
export interface NearCase {
  id: number
  case_no: string
  title: string
  state: CaseState
  address: string
  reported_at: string
  /** Metres from the new report, rounded. */
  distance_m: number
}

export interface ReportAnswer {
  case: Case
  possible_duplicates: NearCase[]
  /** True when open cases of the category lie within the radius, seen or not. */
  similar_in_progress: boolean
}

export interface TransitionBody {
  action: CaseAction
  note?: string
  unit_id?: number
  notice_kind?: NoticeKind
  requirement?: string
  passed?: boolean
  extension_amount?: number
  extension_unit?: LimitUnit
  decision?: 'granted' | 'partial' | 'refused'
  review_date?: string
  duplicate_of?: number
  version?: number
}

export interface Drive {
  code: string
  name: string
  short_name?: string
  name_en: string | null
}

export interface TimeLimit {
  amount: number
  unit: LimitUnit
}

export interface Category {
  code: string
  parent_code: string | null
  kind: string
  name: string
  name_en: string | null
  drive: string | null
  filing_condition: string
  closing_condition: string
  notice_kind: NoticeKind
  time_limit: TimeLimit | null
  responsible_kind: UnitKind | null
  responsible_unit_id: number | null
  supervising_group_id: number | null
  keywords: string[]
  active: boolean
  version: number
}

export interface CategoriesAnswer {
  drives: Drive[]
  items: Category[]
}

export interface RoutingRule {
  id?: number | null
  name: string
  category: string | null
  category_prefix: string | null
  area_unit_id: number | null
  area_kind: UnitKind | null
  hours: { from: string; to: string } | null
  unit_id: number | null
  unit_by_area: UnitKind | null
  supervising_group_id: number | null
  active: boolean
}

export interface RoutePreview {
  unit: Ref | null
  supervising_group: Ref | null
  rule: string | null
  place: { grid: Ref | null; community: Ref | null; subdistrict: Ref | null }
}

export interface CalendarYear {
  year: number
  holidays: string[]
  makeup_workdays: string[]
}

/** The tenant's workflow settings (流程设置), GET/PUT /api/v1/workflow. */
export type OutsideAreaPolicy = 'refuse' | 'flag'
export interface WorkflowSettings {
  acknowledge_limit: TimeLimit
  verify_limit: TimeLimit
  escalation_percents: number[]
  duplicate_radius_m: number
  evidence_distance_m: number
  rectification_number_format: string
  reminder_number_format: string
  issuer: string
  reporter_sees_notice: boolean
  outside_area_policy: OutsideAreaPolicy
  /** The daily anchor digest to the robots (chain head, event count, last anchor), from 08:00. */
  anchor_digest: boolean
  /** Days after a close-out in which a report of the same category at the same place is a recurrence (举一反三); 0: off. */
  recurrence_days: number
  /** Fingerprint of the values: a change names the revision it was made from. */
  revision: string
}
export interface WorkflowBounds {
  limit: { min: number; max: number }
  escalation_percent: { min: number; max: number }
  escalation_steps: number
  duplicate_radius_m: { min: number; max: number }
  evidence_distance_m: { min: number; max: number }
  recurrence_days: { min: number; max: number }
  number_format_max_chars: number
  issuer_max_chars: number
}
export type WorkflowView = WorkflowSettings & { bounds: WorkflowBounds }

export interface WorkCalendar {
  utc_offset_minutes: number
  periods: { start: string; end: string }[]
  years: CalendarYear[]
}

export interface AppNotification {
  id: number
  case_id: number | null
  kind: string
  title: string
  body: string
  created_at: string
  read: boolean
}

export interface NotificationPage extends Page<AppNotification> {
  unread: number
}

export type WebhookFlavour = 'wecom' | 'dingtalk' | 'generic'
export const WEBHOOK_FLAVOURS: WebhookFlavour[] = ['wecom', 'dingtalk', 'generic']

export interface Webhook {
  id: number
  name: string
  flavour: WebhookFlavour
  url: string
  /** Whether a signing secret is set (the secret itself is never sent back). */
  has_secret?: boolean
  active?: boolean
  created_at?: string
  /** A unit's own robot (its group chat): it gets that unit's digests only; null: the tenant's. */
  unit_id?: number | null
  unit_name?: string
}

export type DigestKind = 'daily' | 'weekly'
export const DIGEST_KINDS: DigestKind[] = ['daily', 'weekly']

export interface DigestPeriod {
  kind: string
  from: string
  to: string
}

/** GET /digests/preview: what a unit's head would get now. */
export interface DigestPreview {
  unit_id: number
  unit_name: string
  kind: DigestKind
  figures: DigestPeriod
  ranking: DigestPeriod
  title: string
  markdown: string
}

/** GET /digests: what a unit was sent, and who receives it. */
export interface DigestHistory {
  unit_id: number
  robots: number
  heads: number
  schedule: { kind: DigestKind; time: string; weekday?: number }[]
  items: { kind: DigestKind; period_from: string; robots: number; notified: number; sent_at: number }[]
}

export interface ResponsibilityRow {
  unit: Ref & { kind?: UnitKind }
  /** docs/api.md says codes; the server sends {code, name}. Read with categoryCodeOf(). */
  categories: (string | { code: string; name: string })[]
  areas: (Ref & { kind?: UnitKind })[]
  open_cases: number
  overdue_cases: number
}

// --- KPIs and rankings (考核排名, GET /kpis and /rankings) ---------------------------------------

export type KpiLevel = 'unit' | 'subdistrict' | 'community' | 'grid' | 'group' | 'reporter'
export type KpiPeriodKind = 'day' | 'week' | 'month' | 'quarter' | 'range'
export type KpiGrade = 'A' | 'B' | 'C' | 'D' | 'E'
export const KPI_RATES = ['ack_on_time', 'closed_on_time', 'closure', 'rework', 'overdue', 'extension', 'valid_report', 'verify_on_time', 'recurrence'] as const
export type KpiRateName = (typeof KPI_RATES)[number]
export type KpiFigure = 'reported' | 'voided' | 'dispatched' | 'due' | 'closed' | 'open' | 'parked' | 'overdue' | 'recurred'

export interface KpiPeriod {
  kind: KpiPeriodKind
  from: string
  to: string
}

/** A rate with its Wilson 95 % interval; value, low and high are null when den is 0. */
export interface KpiRate {
  num: number
  den: number
  value: number | null
  low: number | null
  high: number | null
}

export interface Kpi {
  id: number
  name: string
  due: number
  overdue: number
  reported: number
  dispatched: number
  closed: number
  avg_handling_hours: number | null
  rates: Partial<Record<KpiRateName, KpiRate>>
  score: number | null
  grade: KpiGrade | null
  /** Per figure, the GET /cases query that lists its cases (exact: false when it approximates). */
  cases: Partial<Record<KpiFigure, { params: Record<string, string>; exact: boolean }>>
}

export interface RankedKpi extends Kpi {
  rank: number | null
  sample: number
  insufficient: boolean
  previous_rank: number | null
  previous_score: number | null
  /** Positive: moved up. */
  rank_change: number | null
  score_change: number | null
  red: boolean
  black: boolean
}

export interface KpiList {
  level: KpiLevel
  period: KpiPeriod
  as_of_seq: number
  items: Kpi[]
}

export interface Rankings {
  level: KpiLevel
  period: KpiPeriod
  previous: KpiPeriod
  as_of_seq: number
  min_sample: number
  rules: { red: { top: number; score: number }; black: { top: number; score: number } }
  items: RankedKpi[]
  insufficient: RankedKpi[]
  red: number[]
  black: number[]
}

/** One of the caller's liaison places (GET /places/mine, docs/api.md "A leader's places"). */
export interface MyPlace {
  unit_id: number
  kind: 'subdistrict' | 'community' | 'village'
  name: string
  name_en: string | null
  parent_id: number | null
  parent_name: string
  parent_name_en: string | null
  open: number
  overdue: number
  escalated: number
  /** The GET /cases query of each number. */
  cases: Record<'open' | 'overdue' | 'escalated', Record<string, string>>
}

// ---- 指挥中心 (GET /dashboard, GET /hotspots; docs/api.md "Dashboard") ----

/** The GET /cases filter of a figure's cases; `exact` false where the list only approximates it. */
export interface CasesFilter {
  params: Record<string, string>
  exact: boolean
}
export interface DashFigure {
  value: number
  cases: CasesFilter
}
export interface DashPeriod {
  kind: string
  from: string
  to: string
}
export interface DashMix {
  code: string
  name: string
  reported: DashFigure
}
export interface DashRank {
  id: number
  name: string
  rank: number | null
  score: number | null
  grade: string
  cases: CasesFilter
}
export interface DashGrid {
  id: number
  name: string
  open: DashFigure
  overdue: DashFigure
  escalated: DashFigure
}
export interface Hotspot {
  grid_id: number
  grid_name: string
  category: string
  category_name: string
  reports: number
  rank: number
  cases: CasesFilter
}
export interface Hotspots {
  period: DashPeriod
  min_reports: number
  as_of_seq: number
  total: number // how many in all; the dashboard embeds the first 20
  items: Hotspot[]
}
export interface DashAlert {
  seq: number
  case_id: number
  case_no: string
  title: string
  escalation_level: number
  unit_name: string
  grid_name: string
  at: string
}
export interface Dashboard {
  scope: 'tenant' | 'unit' | 'grid'
  date: string
  as_of_seq: number
  today: { reported: DashFigure; closed: DashFigure; overdue: DashFigure }
  open: { total: DashFigure; overdue: DashFigure; escalated: DashFigure }
  trend: { period: DashPeriod; days: { date: string; reported: DashFigure; closed: DashFigure }[] }
  sources: DashMix[]
  categories: DashMix[]
  rankings: {
    period: DashPeriod
    units: { top: DashRank[]; bottom: DashRank[] }
    subdistricts: { top: DashRank[]; bottom: DashRank[] }
  }
  grids: DashGrid[]
  hotspots: Hotspots
  alerts: DashAlert[]
}
