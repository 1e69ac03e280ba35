// Typed calls for the KPIs and rankings (考核排名, docs/api.md "KPIs and rankings").
import { api, type Query, type RequestOptions } from './client'
import type { KpiLevel, KpiList, KpiPeriodKind, Rankings } from './types'

export interface KpiQuery {
  level: KpiLevel
  period: KpiPeriodKind
  /** A day inside the period (YYYY-MM-DD); today in the tenant's zone when absent. */
  date?: string
  from?: string
  to?: string
}

export const kpiApi = {
  kpis: (q: KpiQuery & { id?: number }, opts: RequestOptions = {}) => api.get<KpiList>('/kpis', q as unknown as Query, opts),
  rankings: (q: KpiQuery, opts: RequestOptions = {}) => api.get<Rankings>('/rankings', q as unknown as Query, opts),
}
