// Typed calls for the organisation, users and ledger resources (docs/api.md).
import { api, fetchAll, type Query } from './client'
import type {
  ImportResult,
  Items,
  LedgerEvent,
  LedgerVerify,
  Liaison,
  Membership,
  OrgStructure,
  Page,
  Person,
  PersonDetail,
  Post,
  Role,
  Unit,
  UnitDetail,
  UnitKind,
  User,
} from './types'

export const orgApi = {
  structure: (opts = {}) => api.get<OrgStructure>('/org/structure', undefined, opts),

  units: (q: { kind?: UnitKind | ''; parent_id?: number; q?: string; include_retired?: boolean; limit?: number; cursor?: string | null }, opts = {}) =>
    api.get<Page<Unit>>('/org/units', q as Query, opts),
  allChildren: (parentId: number) => fetchAll<Unit>('/org/units', { parent_id: parentId }),
  unit: (id: number, opts = {}) => api.get<UnitDetail>(`/org/units/${id}`, undefined, opts),
  createUnit: (body: { parent_id: number | null; kind: UnitKind; name: string; code?: string; name_en?: string; duties?: string; sort_order?: number }) =>
    api.post<Unit>('/org/units', body),
  updateUnit: (id: number, body: Partial<Pick<Unit, 'name' | 'name_en' | 'code' | 'duties' | 'sort_order'>> & { version: number }) =>
    api.patch<Unit>(`/org/units/${id}`, body),
  moveUnit: (id: number, parentId: number, version: number) =>
    api.post<Unit>(`/org/units/${id}/move`, { parent_id: parentId, version }),
  retireUnit: (id: number, version: number) => api.post<Unit>(`/org/units/${id}/retire`, { version }),

  people: (q: { q?: string; unit_id?: number; include_retired?: boolean; limit?: number; cursor?: string | null }, opts = {}) =>
    api.get<Page<Person>>('/org/people', q as Query, opts),
  person: (id: number, opts = {}) => api.get<PersonDetail>(`/org/people/${id}`, undefined, opts),
  createPerson: (body: { name: string; phone?: string; title?: string }) =>
    api.post<Person>('/org/people', body),
  updatePerson: (id: number, body: { name?: string; phone?: string | null; title?: string | null; version: number }) =>
    api.patch<Person>(`/org/people/${id}`, body),
  retirePerson: (id: number, version: number) => api.post<Person>(`/org/people/${id}/retire`, { version }),
  importPeople: (csv: string) =>
    api.post<ImportResult>('/org/people/import', csv, { contentType: 'text/csv; charset=utf-8' }),

  posts: () => api.get<Items<Post>>('/org/posts', undefined, { silent: true }),
  memberships: (q: { unit_id?: number; person_id?: number }) => api.get<Items<Membership>>('/org/memberships', q),
  addMembership: (body: { person_id: number; unit_id: number; post_code: string; is_head?: boolean }) =>
    api.post<Membership>('/org/memberships', body),
  removeMembership: (id: number) => api.del(`/org/memberships/${id}`),

  liaisons: (q: { unit_id?: number; leader_id?: number } = {}) => api.get<Items<Liaison>>('/org/liaisons', q),
  assignLiaison: (unitId: number, leaderId: number) =>
    api.put<Liaison>('/org/liaisons', { unit_id: unitId, leader_id: leaderId }),
  removeLiaison: (id: number) => api.del(`/org/liaisons/${id}`),
}

export const usersApi = {
  list: (q: { q?: string; role?: Role | ''; limit?: number; cursor?: string | null }) => api.get<Page<User>>('/users', q as Query),
  create: (body: { username: string; password: string; role: Role; display_name?: string; unit_id?: number; person_id?: number }) =>
    api.post<User>('/users', body),
  update: (id: number, body: Partial<{ role: Role; display_name: string; unit_id: number | null; disabled: boolean; password: string }>, opts = {}) =>
    api.patch<User>(`/users/${id}`, body, opts),
}

export const ledgerApi = {
  list: (q: { entity_type?: string; entity_id?: number; limit?: number; cursor?: string | null }) =>
    api.get<Page<LedgerEvent>>('/ledger', q as Query),
  verify: () => api.get<LedgerVerify>('/ledger/verify'),
}

export const PEOPLE_CSV_URL = '/api/v1/org/people.csv'
export const PEOPLE_XLSX_URL = '/api/v1/org/people.xlsx'

let postsCache: Promise<Post[]> | null = null
/** The post catalogue rarely changes: fetched once per page load. */
export function loadPosts(): Promise<Post[]> {
  if (!postsCache) {
    postsCache = orgApi.posts().then(
      (r) => r.items,
      (e) => {
        postsCache = null
        throw e
      },
    )
  }
  return postsCache
}
