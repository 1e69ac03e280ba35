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
  tenant: Tenant
  permissions: string[]
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
