// The signed-in user, shared by the whole app. Filled from POST /auth/login and GET /auth/me.
import { reactive, computed } from 'vue'
import { api, setCsrfToken } from './api/client'
import type { SessionAnswer, User } from './api/types'
import { currentLang } from './i18n'

interface SessionState {
  user: User | null
  /** true once GET /auth/me has answered (with a user or with 401). */
  checked: boolean
}

export const session = reactive<SessionState>({ user: null, checked: false })

const TENANT_KEY = 'civicloop.tenant'

function remember(answer: SessionAnswer): void {
  session.user = answer.user
  session.checked = true
  setCsrfToken(answer.csrf_token)
  try {
    localStorage.setItem(TENANT_KEY, JSON.stringify(answer.user.tenant))
  } catch {
    // not essential: only the login page title uses it
  }
}

export function clearSession(): void {
  session.user = null
  setCsrfToken(null)
}

/** Asks the server who we are; resolves to null when there is no session. */
export async function loadMe(): Promise<User | null> {
  try {
    const answer = await api.get<SessionAnswer>('/auth/me', undefined, { silent: true, noAuthRedirect: true })
    remember(answer)
  } catch {
    clearSession()
  }
  session.checked = true
  return session.user
}

/** The second step of a sign-in for accounts with two-step sign-in: a TOTP code or a recovery code. */
export interface SecondFactor {
  totp?: string
  recovery_code?: string
}

export async function login(username: string, password: string, second: SecondFactor = {}): Promise<User> {
  const answer = await api.post<SessionAnswer>(
    '/auth/login',
    { username, password, ...second },
    { silent: true, noAuthRedirect: true },
  )
  remember(answer)
  return answer.user
}

export async function logout(): Promise<void> {
  try {
    await api.post('/auth/logout', undefined, { silent: true, noAuthRedirect: true })
  } finally {
    clearSession()
  }
}

export function can(permission: string): boolean {
  return !!session.user?.permissions?.includes(permission)
}

/** Tenant name in the UI language: from the session, else from the last visit. */
export const tenantName = computed<string | null>(() => {
  const tenant = session.user?.tenant ?? storedTenant()
  if (!tenant) return null
  return currentLang() === 'en' && tenant.name_en ? tenant.name_en : tenant.name
})

function storedTenant(): { name: string; name_en: string | null } | null {
  try {
    const raw = localStorage.getItem(TENANT_KEY)
    return raw ? JSON.parse(raw) : null
  } catch {
    return null
  }
}

/**
 * The page a user lands on after sign-in and at the bare address (docs/architecture.md, "Where each
 * role lands"): the HQ office its triage queue, a unit operator his inbox, supervisors and task
 * forces the verification queue, a grid worker the phone page on a phone (his inbox on a wide
 * screen, where the table shows more), a leader his dashboard with his places (我的联系点), a citizen his own reports
 * (the case list, which shows a citizen only his own). /home stays open to everyone.
 */
export function homeRoute(): string {
  switch (session.user?.role) {
    case 'hq_admin':
    case 'hq_staff':
      return '/triage'
    case 'unit_operator':
      return '/inbox'
    case 'supervisor':
    case 'task_force_member':
      return '/verify'
    case 'grid_worker':
      return phoneWidth() ? '/m/' : '/inbox'
    case 'leader':
      return '/dashboard'
    case 'citizen':
      return '/cases'
    default:
      return '/home'
  }
}

/** A phone-width screen (the width below which the app shell puts its menu in a drawer). */
export function phoneWidth(): boolean {
  return typeof window !== 'undefined' && window.matchMedia('(max-width: 767px)').matches
}
