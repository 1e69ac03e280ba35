// Browser tests of intake that places every report, against a running civicloop with the demo
// preset (see loop.test.mjs for how to start one):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/intake.test.mjs
//
// (a) a point outside the district, typed on the phone page, is refused with the server's message
//     and its distance, and no case is made;
// (b) a case the system could not place (an address only) carries the needs-placement flag in the
//     triage queue; a phone report with a point and no address prints the place's names;
// (c) the report page's base map: the demo subdistricts drawn inside the real district outline.
// Screenshots (intake-*.png) go to CIVICLOOP_SCREENSHOTS (default ../build/screenshots).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BASE = (process.env.CIVICLOOP_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '')
const SHOTS = process.env.CIVICLOOP_SCREENSHOTS
  ? path.resolve(process.env.CIVICLOOP_SCREENSHOTS)
  : path.resolve(webDir, '..', 'build', 'screenshots')
const PASSWORD = 'Demo@2026'

let browser

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true })
  browser = await chromium.launch({
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
})

after(async () => {
  await browser?.close()
})

async function newPage({ mobile = false } = {}) {
  const context = await browser.newContext(
    mobile
      ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
      : { viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' },
  )
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  return page
}

async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))))
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true })
}

async function login(page, username, to) {
  await page.goto(`${BASE}/login?redirect=${encodeURIComponent(to)}`)
  await page.locator('[data-testid=login-username]').fill(username)
  await page.locator('[data-testid=login-password]').fill(PASSWORD)
  await page.locator('[data-testid=login-submit]').click()
  await page.waitForURL((u) => u.pathname.replace(/\/$/, '') === to.replace(/\/$/, ''))
}

/** A JSON API call from inside the signed-in page; answers { status, body }. */
async function api(page, method, url, body) {
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
function inside(boundary) {
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

async function pickCategory(phone) {
  await phone.locator('[data-testid=m-category]').click()
  await phone.locator('[data-testid=m-category-search]').fill('暴露垃圾')
  await phone.locator('[data-testid=m-category-option][data-code="0102"]').click()
  await phone.locator('[data-testid=m-category-picker]').waitFor({ state: 'hidden' })
}

async function typePoint(phone, { lat, lng }) {
  if (!(await phone.locator('[data-testid=m-lat]').isVisible())) await phone.locator('[data-testid=m-loc-manual]').click()
  await phone.locator('[data-testid=m-lat]').fill(String(lat))
  await phone.locator('[data-testid=m-lng]').fill(String(lng))
}

test('(a) a point outside the district is refused on the phone with the distance', async () => {
  const phone = await newPage({ mobile: true })
  try {
    await login(phone, 'grid', '/m/')
    await phone.locator('[data-testid=mobile-page]').waitFor()
    const mine = (await api(phone, 'GET', '/api/v1/cases?limit=200')).body.items.length
    await pickCategory(phone)
    await typePoint(phone, { lat: 39.9, lng: 116.4 }) // Beijing
    const answer = phone.waitForResponse((r) => r.url().endsWith('/api/v1/cases') && r.request().method() === 'POST')
    await phone.locator('[data-testid=m-send]').click()
    const res = await answer
    assert.equal(res.status(), 422)
    const body = await res.json()
    assert.equal(body.error.code, 'case.outside_area')
    assert.ok(Number(body.error.details.distance_m) > 200000, body.error.details.distance_m)
    // The reporter is told, in Chinese, with the distance; nothing was sent.
    const message = phone.locator('.el-message', { hasText: '不在本辖区内' })
    await message.waitFor()
    assert.match(await message.innerText(), /\d+ 米/)
    await shot(phone, 'intake-01-mobile-outside.png')
    assert.equal((await api(phone, 'GET', '/api/v1/cases?limit=200')).body.items.length, mine)
  } finally {
    await phone.context().close()
  }
})

test('(b) an unplaced case is flagged in triage; a point without an address prints its place', async () => {
  const office = await newPage()
  try {
    await login(office, 'office', '/triage')
    // A hotline report with an address only: the system cannot place it.
    const hotline = await api(office, 'POST', '/api/v1/cases', { category: '0102', title: '热线：无法定位的问题', address: '城东某小区门口' })
    assert.equal(hotline.status, 201, JSON.stringify(hotline.body))
    // A point in 永泰北社区第1网格 and no address.
    const units = (await api(office, 'GET', '/api/v1/org/units?kind=grid&limit=200')).body.items
    const grid = units.find((u) => u.code === '140213050001-G1')
    const placed = await api(office, 'POST', '/api/v1/cases', { category: '0102', title: '定位问题无地址', ...inside(grid.boundary) })
    assert.equal(placed.status, 201, JSON.stringify(placed.body))
    assert.equal(placed.body.case.address, '永泰街道 永泰北社区 第1网格')

    await office.reload()
    const row = office.locator('[data-testid=triage-table] .el-table__body-wrapper tr', { hasText: hotline.body.case.case_no })
    await row.waitFor()
    await row.locator('[data-testid=triage-needs-placement]').waitFor()
    assert.match(await row.locator('[data-testid=triage-needs-placement]').innerText(), /待人工定位/)
    const other = office.locator('[data-testid=triage-table] .el-table__body-wrapper tr', { hasText: placed.body.case.case_no })
    await other.waitFor()
    assert.equal(await other.locator('[data-testid=triage-needs-placement]').count(), 0)
    await shot(office, 'intake-02-triage-needs-placement.png')
  } finally {
    await office.context().close()
  }
})

test('(c) the report page draws the demo subdistricts inside the district outline', async () => {
  const office = await newPage()
  try {
    await login(office, 'office', '/report')
    // 18 subdistricts, each a shape on the base map.
    await office.waitForFunction(() => document.querySelectorAll('[data-testid=map] path.leaflet-interactive, [data-testid=map] path').length >= 18)
    const labels = await office.locator('[data-testid=map] .cl-map-label').allInnerTexts()
    assert.ok(labels.includes('古城') && labels.includes('永泰') && labels.includes('马军营'), labels.join(','))
    await shot(office, 'intake-03-report-map.png')
  } finally {
    await office.context().close()
  }
})
