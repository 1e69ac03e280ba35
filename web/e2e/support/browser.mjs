// What the browser tests share: the server under test, where screenshots go, Debian's chromium
// started as this machine needs it (no background networking: the network is closed), pages at
// desktop or phone width in either language, sign-in with the demo password, screenshots, and
// JSON API calls made from inside the signed-in page (with its CSRF token).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BASE = (process.env.CIVICLOOP_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '')
export const SHOTS = process.env.CIVICLOOP_SCREENSHOTS
  ? path.resolve(process.env.CIVICLOOP_SCREENSHOTS)
  : path.resolve(webDir, '..', 'build', 'screenshots')
export const PASSWORD = 'Demo@2026'

export async function launch() {
  fs.mkdirSync(SHOTS, { recursive: true })
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A page in a new context: 1366×768 or a 390 px phone; `lang` 'en' starts the app in English. */
export async function newPage(browser, { mobile = false, lang = 'zh-CN' } = {}) {
  const context = await browser.newContext(
    mobile
      ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: lang, timezoneId: 'Asia/Shanghai' }
      : { viewport: { width: 1366, height: 768 }, locale: lang, timezoneId: 'Asia/Shanghai' },
  )
  if (lang === 'en') await context.addInitScript(() => localStorage.setItem('civicloop.lang', 'en'))
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  return page
}

export async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))))
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true })
}

/** Signs in and, unless `arrive` is false (a page the user may not open), waits for `to`. */
export async function login(page, username, to, { arrive = true } = {}) {
  await page.goto(`${BASE}/login?redirect=${encodeURIComponent(to)}`)
  await page.locator('[data-testid=login-username]').fill(username)
  await page.locator('[data-testid=login-password]').fill(PASSWORD)
  await page.locator('[data-testid=login-submit]').click()
  if (arrive) await page.waitForURL((u) => u.pathname.replace(/\/$/, '') === to.replace(/\/$/, ''))
  else await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

/** A JSON API call from inside the signed-in page; answers { status, body }. */
export async function api(page, method, url, body) {
  return page.evaluate(
    async ({ method, url, body }) => {
      const me = await (await fetch('/api/v1/auth/me')).json()
      const res = await fetch(url, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : null }
    },
    { method, url, body },
  )
}

/** A point well inside a polygon: the middle of the widest stretch on its middle parallel. */
export function inside(boundary) {
  const ring = boundary.coordinates[0]
  const ys = ring.map((p) => p[1])
  const lat = (Math.min(...ys) + Math.max(...ys)) / 2 + 1e-7
  const xs = []
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i]
    const [x2, y2] = ring[i + 1]
    if (y1 > lat !== y2 > lat) xs.push(x1 + ((lat - y1) * (x2 - x1)) / (y2 - y1))
  }
  xs.sort((a, b) => a - b)
  let lng = xs[0]
  let best = -1
  for (let i = 0; i + 1 < xs.length; i += 2) {
    if (xs[i + 1] - xs[i] > best) [best, lng] = [xs[i + 1] - xs[i], (xs[i] + xs[i + 1]) / 2]
  }
  return { lat: Number(lat.toFixed(6)), lng: Number(lng.toFixed(6)) }
}

/** The bytes of a file in tests/fixtures (real photos with known EXIF, see its README). */
export function fixture(name) {
  return fs.readFileSync(path.resolve(webDir, '..', 'tests', 'fixtures', name))
}
