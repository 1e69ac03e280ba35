// Typed calls for the command-centre dashboard (指挥中心, docs/api.md "Dashboard").
import { api, type Query, type RequestOptions } from './client'
import type { Dashboard, Hotspots } from './types'

export const dashboardApi = {
  get: (opts: RequestOptions = {}) => api.get<Dashboard>('/dashboard', undefined, opts),
  hotspots: (q: { period?: string; date?: string; from?: string; to?: string } = {}, opts: RequestOptions = {}) =>
    api.get<Hotspots>('/hotspots', q as Query, opts),
}
