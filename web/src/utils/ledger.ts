// The ledger page in words: field names and values as an official reads them — 责任单位
// 平城区市场监督管理局, not `assigned_unit_id 21`; states, sources, stages and units of time by
// their labels; times in the tenant's zone; a case by its number. Labels come from the i18n
// files; unit names from the organisation (loaded once by the page).
import { i18n, localName, t } from '../i18n'
import type { Unit } from '../api/types'
import { formatTime } from './format'
import { sourceLabel, stateLabel } from './cases'

/** What a value needs to be worded: the organisation's units and the category names. */
export interface LedgerWords {
  units: Map<number, Unit>
  categoryName: (code: string) => string
}

const UNIT_FIELDS = new Set([
  'grid_id',
  'community_id',
  'subdistrict_id',
  'assigned_unit_id',
  'supervising_group_id',
  'parent_id',
  'unit_id',
])
const STATE_FIELDS = new Set(['state', 'parked_from'])
const PATH_FIELDS = new Set(['area_path', 'assigned_path', 'path'])
const HIDDEN = new Set(['snapshot'])

/** 责任单位 for assigned_unit_id; the field itself when the i18n files do not name it. */
export function fieldLabel(field: string): string {
  const key = `ledger.fields.${field}`
  return i18n.global.te(key) ? t(key) : field
}

// An id beside the name it stands for (a liaison's leader, a membership's person): the name is
// shown, the id left out; a unit's name beside its id, which is already worded by the id.
const SHOWN_BY = new Map([
  ['leader_id', 'leader_name'],
  ['person_id', 'person_name'],
  ['unit_name', 'unit_id'],
])

/**
 * Whether the diff leaves the field out: bookkeeping, not a change an official makes, or an id
 * whose name is among `fields` (the fields of the same event).
 */
export function hiddenField(field: string, fields?: Set<string>): boolean {
  if (HIDDEN.has(field)) return true
  const by = SHOWN_BY.get(field)
  return by !== undefined && fields !== undefined && fields.has(by)
}

/** Who made a change: the user's name; 系统 for the scheduler and the command line (no user, stored as `system`). */
export function actorText(e: { actor_user_id: number | null; actor_name: string | null }): string {
  if (!e.actor_name || (e.actor_user_id === null && e.actor_name === 'system')) return t('ledger.system')
  return e.actor_name
}

function unitName(words: LedgerWords, id: number): string {
  const u = words.units.get(id)
  return u ? localName(u) : t('ledger.unknownUnit', { id })
}

function label(prefix: string, code: string): string {
  const key = `${prefix}.${code}`
  return i18n.global.te(key) ? t(key) : code
}

function isTimeField(field: string): boolean {
  return field.endsWith('_at') || field === 'deadline' || field === 'running_since'
}

function timeText(v: unknown): string {
  if (typeof v === 'number') return formatTime(new Date(v).toISOString()).slice(0, 16)
  if (typeof v === 'string') return formatTime(v).slice(0, 16)
  return String(v)
}

/** A value of a field, in words. */
export function fieldValue(field: string, v: unknown, words: LedgerWords): string {
  if (v === undefined || v === null || v === '') return '—'
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no')
  if (UNIT_FIELDS.has(field) && typeof v === 'number') return unitName(words, v)
  if (STATE_FIELDS.has(field) && typeof v === 'string') return stateLabel(v)
  if (field === 'source' && typeof v === 'string') return sourceLabel(v)
  if (field === 'category' && typeof v === 'string') return words.categoryName(v)
  if (field === 'kind' && typeof v === 'string') return label('kinds', v)
  if (field === 'role' && typeof v === 'string') return label('roles', v)
  if (PATH_FIELDS.has(field) && typeof v === 'string') {
    const ids = v.split('/').filter(Boolean).map(Number)
    return ids.length ? ids.map((id) => unitName(words, id)).join(' / ') : '—'
  }
  if (isTimeField(field)) return timeText(v)
  if (field === 'boundary') return t('ledger.polygon')
  if (field === 'timer' && typeof v === 'object') {
    const o = v as Record<string, unknown>
    const stage = label('timerStages', String(o.stage ?? ''))
    return o.running_since === null ? t('ledger.timerPaused', { stage }) : t('ledger.timerValue', { stage, at: timeText(o.deadline) })
  }
  if (field === 'extension_request' && typeof v === 'object') {
    const o = v as Record<string, unknown>
    return t('ledger.extensionValue', { amount: o.amount, unit: label('limitUnits', String(o.unit ?? '')), reason: o.reason ?? '' })
  }
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  return JSON.stringify(v)
}

/**
 * 问题 2026000042 for a case event (its number from the snapshot); 通知单 平创整〔2026〕0001号, 单位
 * 永泰街道 or 用户 office when the snapshot carries a number or a name; 包联 永泰北社区 · 王建国 for a
 * liaison or a membership; 单位 #5 otherwise.
 */
export function entityText(e: { entity_type: string; entity_id: number | string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }, entityLabel: (type: string) => string): string {
  if (e.entity_type === 'case') {
    const no = (e.after?.case_no ?? e.before?.case_no) as string | undefined
    if (no) return t('ledger.caseEntity', { no })
  }
  // A liaison or a membership: its unit and its person by name (包联 永泰北社区 · 王建国).
  const snap = e.after ?? e.before
  const person = snap?.leader_name ?? snap?.person_name
  if ((e.entity_type === 'liaison' || e.entity_type === 'membership') && typeof snap?.unit_name === 'string' && typeof person === 'string' && person) {
    return t('ledger.pairEntity', { type: entityLabel(e.entity_type), unit: snap.unit_name, person })
  }
  for (const key of ['number', 'name', 'display_name', 'username']) {
    const v = e.after?.[key] ?? e.before?.[key]
    if (typeof v === 'string' && v.trim()) return `${entityLabel(e.entity_type)} ${v}`
  }
  // The tenant's one calendar, workflow settings or rule list: no id to show.
  if (Number(e.entity_id) === 0) return entityLabel(e.entity_type)
  return `${entityLabel(e.entity_type)} #${e.entity_id}`
}
