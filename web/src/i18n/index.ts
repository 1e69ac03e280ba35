import { createI18n } from 'vue-i18n'
import { computed } from 'vue'
import zhCn from 'element-plus/es/locale/lang/zh-cn.mjs'
import en from 'element-plus/es/locale/lang/en.mjs'
import zhCNMessages from './zh-CN'
import enMessages from './en'

export type Lang = 'zh-CN' | 'en'

/** Where the chosen language is remembered between visits. */
export const LANG_STORAGE_KEY = 'civicloop.lang'

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(LANG_STORAGE_KEY)
    if (saved === 'en' || saved === 'zh-CN') return saved
  } catch {
    // Storage may be unavailable (private mode); fall back to Chinese.
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLang(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCNMessages, en: enMessages },
  missingWarn: false,
  fallbackWarn: false,
})

export function currentLang(): Lang {
  return i18n.global.locale.value as Lang
}

export function setLang(lang: Lang): void {
  i18n.global.locale.value = lang
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang)
  } catch {
    // ignore: the choice then lasts for this page only
  }
  document.documentElement.lang = lang
}

export const isEnglish = computed(() => i18n.global.locale.value === 'en')

/** Element Plus locale that follows the UI language. */
export const elementLocale = computed(() => (i18n.global.locale.value === 'en' ? en : zhCn))

/** Accept-Language header value for API calls. */
export function acceptLanguage(): string {
  return currentLang() === 'en' ? 'en' : 'zh-CN'
}

/** Picks the English form of a bilingual name when the UI is in English and one exists. */
export function localName(o: { name: string; name_en?: string | null } | null | undefined): string {
  if (!o) return ''
  if (currentLang() === 'en' && o.name_en) return o.name_en
  return o.name
}

export const t = (key: string, args?: Record<string, unknown>): string =>
  args ? i18n.global.t(key, args) : i18n.global.t(key)
