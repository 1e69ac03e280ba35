// The one way the web app talks to the civicloop API (docs/api.md).
//
// - Cookies are same-origin; the CSRF token from login / me is sent on every write.
// - Every call says which language it wants (Accept-Language), so server messages come localised.
// - Any 4xx/5xx becomes an ApiError carrying the server's code, message and details; the message is
//   shown with ElMessage unless the caller asks for silence, and forms can pick up details.field.
// - A 401 on anything but the auth calls ends the session and sends the user to the login page.

import { ElMessage } from 'element-plus'
import { acceptLanguage, t } from '../i18n'

export const API_BASE = '/api/v1'

export interface ErrorBody {
  error: {
    code: string
    message: string
    details?: { field?: string; [k: string]: unknown } | null
  }
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown>

  constructor(status: number, code: string, message: string, details?: Record<string, unknown> | null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details ?? {}
  }

  /** The request field the server blamed, if any (details.field). */
  get field(): string | null {
    const f = this.details.field
    return typeof f === 'string' && f ? f : null
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  query?: Query
  /** JSON body (objects), raw text (strings, with contentType) or raw bytes (Blob / File). */
  body?: unknown
  contentType?: string
  /** Do not show the error with ElMessage; the caller handles it. */
  silent?: boolean
  /** Do not redirect to the login page on 401 (used by login and the initial session probe). */
  noAuthRedirect?: boolean
}

let csrfToken: string | null = null
let unauthorizedHandler: (() => void) | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Registered by main.ts: what to do when the session has gone (clear state, go to login). */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler
}

export function buildUrl(path: string, query?: Query): string {
  const url = path.startsWith('/api/') ? path : API_BASE + path
  if (!query) return url
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    params.set(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${url}?${qs}` : url
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': acceptLanguage(),
  }
  let body: BodyInit | undefined
  if (opts.body !== undefined) {
    if (typeof opts.body === 'string') {
      body = opts.body
      headers['Content-Type'] = opts.contentType ?? 'text/plain; charset=utf-8'
    } else if (opts.body instanceof Blob) {
      // Uploads (photos): the bytes as they are; the server checks the type by content.
      body = opts.body
      headers['Content-Type'] = opts.contentType ?? (opts.body.type || 'application/octet-stream')
    } else {
      body = JSON.stringify(opts.body)
      headers['Content-Type'] = 'application/json'
    }
  }
  if (WRITE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken

  let res: Response
  try {
    res = await fetch(buildUrl(path, opts.query), { method, headers, body, credentials: 'same-origin' })
  } catch {
    const err = new ApiError(0, 'network', t('errors.network'))
    if (!opts.silent) ElMessage.error(err.message)
    throw err
  }

  if (res.ok) {
    if (res.status === 204) return undefined as T
    const text = await res.text()
    if (!text) return undefined as T
    try {
      return JSON.parse(text) as T
    } catch {
      const err = new ApiError(res.status, 'client.bad_response', t('errors.badResponse'))
      if (!opts.silent) ElMessage.error(err.message)
      throw err
    }
  }

  const err = await toApiError(res)
  if (res.status === 401 && !opts.noAuthRedirect) {
    csrfToken = null
    if (!opts.silent) ElMessage.warning({ message: err.message || t('auth.sessionExpired'), grouping: true })
    unauthorizedHandler?.()
    throw err
  }
  if (!opts.silent) ElMessage.error({ message: err.message, grouping: true })
  throw err
}

async function toApiError(res: Response): Promise<ApiError> {
  let parsed: unknown = null
  try {
    parsed = await res.json()
  } catch {
    parsed = null
  }
  const e = (parsed as Partial<ErrorBody> | null)?.error
  if (e && typeof e.code === 'string') {
    const message = typeof e.message === 'string' && e.message ? e.message : t('errors.http', { status: res.status })
    return new ApiError(res.status, e.code, message, (e.details as Record<string, unknown> | null) ?? null)
  }
  return new ApiError(res.status, `http.${res.status}`, t('errors.http', { status: res.status }))
}

export const api = {
  get: <T>(path: string, query?: Query, opts: RequestOptions = {}) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body: unknown, opts: RequestOptions = {}) => request<T>('PATCH', path, { ...opts, body }),
  put: <T>(path: string, body: unknown, opts: RequestOptions = {}) => request<T>('PUT', path, { ...opts, body }),
  del: <T = void>(path: string, opts: RequestOptions = {}) => request<T>('DELETE', path, opts),
}

/** Fetches every page of a keyset-paginated list (for short lists such as children or subdistricts). */
export async function fetchAll<T>(path: string, query: Query = {}, maxPages = 20): Promise<T[]> {
  const out: T[] = []
  let cursor: string | null = null
  for (let i = 0; i < maxPages; i++) {
    const page: { items: T[]; next_cursor: string | null } = await api.get(path, { ...query, limit: 200, cursor })
    out.push(...page.items)
    cursor = page.next_cursor
    if (!cursor) break
  }
  return out
}
