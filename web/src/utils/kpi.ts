// Shared helpers of the KPI pages (考核排名 and its detail drawer): the period a reader picks, its
// query for GET /kpis and /rankings, and the formatting of rates and handling times.
import type { Kpi, KpiFigure, KpiLevel, KpiRate } from '../api/types'
import { formatDuration } from './cases'

export type PeriodKind = 'week' | 'month' | 'quarter' | 'range'
export const PERIOD_KINDS: PeriodKind[] = ['week', 'month', 'quarter', 'range']

/** What the reader picked: a kind and a day in it, or a range's first and last days. */
export interface PeriodPick {
  kind: PeriodKind
  /** A day inside the period (YYYY-MM-DD); empty: today in the tenant's zone (the server picks). */
  date: string
  from: string
  to: string
}

export const isDay = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)

/** The query of GET /kpis and /rankings for a pick (a range sends both ends as they are: the server judges them). */
export function periodQuery(p: PeriodPick): { period: PeriodKind; date?: string; from?: string; to?: string } {
  if (p.kind === 'range') return { period: 'range', from: p.from || undefined, to: p.to || undefined }
  return { period: p.kind, date: p.date || undefined }
}

export function today(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}
export function quarterStart(day: string): string {
  if (!day) return ''
  const [y, m] = day.split('-').map(Number)
  return `${y}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, '0')}-01`
}

export function pct(v: number | null | undefined): string {
  return v == null ? '—' : `${(v * 100).toFixed(1)}%`
}
/** The Wilson interval in whole percent, "61–93%"; empty when there is no rate. */
export function shortInterval(r: KpiRate | undefined): string {
  if (!r || r.low == null || r.high == null) return ''
  return `${Math.round(r.low * 100)}–${Math.round(r.high * 100)}%`
}
export function score(v: number | null | undefined): string {
  return v == null ? '—' : v.toFixed(1)
}
/** Working hours as 2天3小时 / 3小时20分 / 20分钟 (or the English forms); — when none. */
export function handling(hours: number | null | undefined): string {
  return hours == null ? '—' : formatDuration(hours * 3_600_000)
}

/** The people level (上报人): its figures are reports and verifications, not handling. */
export const isPeople = (l: KpiLevel) => l === 'reporter'
/** Levels whose places receive reports, so the valid-report rate (有效上报率) means something. */
export const hasReports = (l: KpiLevel) => l === 'subdistrict' || l === 'community' || l === 'grid' || l === 'reporter'

/** The case list filtered as the API says for this figure (null when none, or nothing to list). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function casesLink(row: Pick<Kpi, 'cases'> | Record<string, any>, figure: KpiFigure, count = 1) {
  const c = (row as Pick<Kpi, 'cases'>).cases[figure]
  return c && count > 0 ? { path: '/cases', query: { ...c.params } } : null
}
