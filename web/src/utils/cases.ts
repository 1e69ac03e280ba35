// Helpers shared by the case pages: labels, colours, the deadline countdown and the category tree.
import { computed, onBeforeUnmount, onMounted, ref } from 'vue'
import { loadCategories } from '../api/cases'
import type { Case, CaseState, CaseTimer, CategoriesAnswer, Category, Ref } from '../api/types'
import { currentLang, i18n, localName, t } from '../i18n'
import { session } from '../session'

type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

/** Tag colour of each state: waiting on the HQ office grey, at the unit amber, done green. */
export function stateTagType(s: CaseState): TagType {
  switch (s) {
    case 'reported':
    case 'filed':
      return 'info'
    case 'dispatched':
    case 'acknowledged':
      return 'warning'
    case 'rectified':
      return 'primary'
    case 'verified':
    case 'closed':
      return 'success'
    case 'parked':
      return 'danger'
    default:
      return 'info'
  }
}

export function stateLabel(s: string): string {
  return t(`caseStates.${s}`)
}

/** Chinese (or English) name of an action or ledger event; unknown ones shown as they are. */
export function actionLabel(a: string): string {
  const key = `caseActions.${a}`
  return i18n.global.te(key) ? t(key) : a
}

export function sourceLabel(s: string): string {
  const key = `caseSources.${s}`
  return i18n.global.te(key) ? t(key) : s
}

export function refName(r: Ref | null | undefined): string {
  return r ? localName({ name: r.name, name_en: r.name_en ?? null }) : ''
}

/** 永泰街道 / 永泰北社区 / 第1网格 — the place of a problem, as far as it is known. */
export function placeText(c: Pick<Case, 'subdistrict' | 'community' | 'grid'>, withGrid = false): string {
  const parts = [c.subdistrict, c.community].filter((x): x is Ref => !!x).map(refName)
  if (withGrid && c.grid) {
    // Grids are often named after their community (永泰北社区第1网格): show only what differs.
    const grid = refName(c.grid)
    const community = c.community ? refName(c.community) : ''
    parts.push(community && grid.startsWith(community) && grid.length > community.length ? grid.slice(community.length).trim() : grid)
  }
  return parts.join(' / ')
}

/** The title when it says more than the category name (a report without a title gets the name). */
export function extraTitle(c: Pick<Case, 'title' | 'category_name'>): string {
  return c.title && c.title !== c.category_name ? c.title : ''
}

// --- time ------------------------------------------------------------------------------------

/** A clock that ticks every `ms` while the component is mounted (countdowns). */
export function useNow(ms = 30_000) {
  const now = ref(Date.now())
  let timer: number | undefined
  onMounted(() => {
    timer = window.setInterval(() => (now.value = Date.now()), ms)
  })
  onBeforeUnmount(() => window.clearInterval(timer))
  return now
}

/** 2天3小时 / 3小时20分 / 20分 (or the English forms); always positive. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(Math.abs(ms) / 60_000))
  const d = Math.floor(minutes / 1440)
  const h = Math.floor((minutes % 1440) / 60)
  const m = minutes % 60
  if (d > 0) return t('duration.dh', { d, h })
  if (h > 0) return t('duration.hm', { h, m })
  return t('duration.m', { m })
}

export type TimerLevel = 'ok' | 'half' | 'late' | 'overdue' | 'paused'

/**
 * The colour of a deadline: green below half the time, amber from 50 %, orange from 75 %,
 * red when overdue; grey while the clock is stopped (extension pending, parked).
 */
export function timerLevel(timer: CaseTimer, overdue: boolean, now: number): TimerLevel {
  if (timer.paused) return 'paused'
  const late = overdue || timer.percent_used >= 100 || Date.parse(timer.deadline_at) <= now
  if (late) return 'overdue'
  if (timer.percent_used >= 75) return 'late'
  if (timer.percent_used >= 50) return 'half'
  return 'ok'
}

export function timerText(timer: CaseTimer, now: number): string {
  const left = Date.parse(timer.deadline_at) - now
  if (timer.paused) return t('timer.paused')
  return left >= 0 ? t('timer.left', { d: formatDuration(left) }) : t('timer.over', { d: formatDuration(-left) })
}

export function remainingText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  return ms >= 0 ? t('timer.left', { d: formatDuration(ms) }) : t('timer.over', { d: formatDuration(-ms) })
}

/** Today in the tenant's zone (Asia/Shanghai), YYYY-MM-DD. */
export function todayLocal(offsetDays = 0): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}

// --- categories ------------------------------------------------------------------------------

const catalogue = ref<CategoriesAnswer | null>(null)
let asked = false

/** The category catalogue (classes and minor classes), loaded once; labels in the UI language. */
export function useCategories() {
  if (!asked) {
    asked = true
    loadCategories().then(
      (c) => (catalogue.value = c),
      () => {
        asked = false
      },
    )
  }
  const byCode = computed(() => {
    const m = new Map<string, Category>()
    for (const c of catalogue.value?.items ?? []) m.set(c.code, c)
    return m
  })
  const classes = computed(() => (catalogue.value?.items ?? []).filter((c) => !c.parent_code))
  function minors(classCode: string, activeOnly = true): Category[] {
    return (catalogue.value?.items ?? []).filter((c) => c.parent_code === classCode && (!activeOnly || c.active))
  }
  function categoryName(code: string | null | undefined, fallback = ''): string {
    if (!code) return fallback
    const c = byCode.value.get(code)
    return c ? localName(c) : fallback || code
  }
  /** 市容环境 / 暴露垃圾 */
  function categoryPath(code: string | null | undefined, fallback = ''): string {
    if (!code) return fallback
    const c = byCode.value.get(code)
    if (!c) return fallback || code
    const parent = c.parent_code ? byCode.value.get(c.parent_code) : null
    return parent ? `${localName(parent)} / ${localName(c)}` : localName(c)
  }
  /** Whether a minor class matches a search by name, code or keyword. */
  function matches(c: Category, q: string): boolean {
    const s = q.trim().toLowerCase()
    if (!s) return true
    const parent = c.parent_code ? byCode.value.get(c.parent_code) : null
    const hay = [c.name, c.name_en ?? '', c.code, ...c.keywords, parent?.name ?? '', parent?.name_en ?? '']
    return hay.some((h) => h.toLowerCase().includes(s))
  }
  async function reload(): Promise<void> {
    catalogue.value = await loadCategories(true)
  }
  return { catalogue, byCode, classes, minors, categoryName, categoryPath, matches, reload }
}

/** The case's category in the UI language: the catalogue's English name when in English. */
export function caseCategoryLabel(c: Case, categoryName: (code: string, fallback?: string) => string): string {
  return currentLang() === 'en' ? categoryName(c.category, c.category_name) : c.category_name || categoryName(c.category)
}

// --- roles -----------------------------------------------------------------------------------

export const HQ_ROLES = ['hq_admin', 'hq_staff']
export const UNIT_ROLES = ['unit_operator', 'grid_worker']
export const VERIFIER_ROLES = ['supervisor', 'hq_staff', 'hq_admin', 'task_force_member']

export function hasRole(roles: string[]): boolean {
  return !!session.user && roles.includes(session.user.role)
}
