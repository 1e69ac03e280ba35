// Typed call for a leader's places (我的联系点, docs/api.md "A leader's places").
import { api, type RequestOptions } from './client'
import type { MyPlace } from './types'

export const placesApi = {
  mine: (opts: RequestOptions = {}) => api.get<{ items: MyPlace[] }>('/places/mine', undefined, opts),
}
