// Browser tests of the command-centre dashboard (指挥中心), against a running civicloop with the
// demo preset (see loop.test.mjs for how to start one):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/dashboard.test.mjs
//
// The HQ office makes a little data through the API (problems in a grid of 永泰街道 and of 古城街道,
// filed and dispatched, one closed; other test files sharing the server may add more, so the page
// is compared with the API's answer), then:
// (a) as the office and as the leader, the six figures equal GET /dashboard; clicking the overdue
//     figure opens the case list with the API's filter; the map draws the grids;
// (b) as 永泰's unit operator, only its own figures (the scope says so, and 古城's grid is not on
//     the map's list);
// (c) the big screen at 1920×1080: dark, no app chrome, the figures legible;
// (d) 390 px in both languages without sideways scroll; a citizen is sent away.
// WCAG 2.1 AA (axe-core) on the dashboard and the big screen. Screenshots dashboard-*.png.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage as openPage, shot, login, api, inside } from './support/browser.mjs'
import { expectAccessible } from './support/axe.mjs'

let browser
before(async () => {
  browser = await launch()
  const page = await openPage(browser)
  try {
    await login(page, 'office', '/cases')
    const grids = (await api(page, 'GET', '/api/v1/org/units?kind=grid&limit=200')).body.items
    for (const [prefix, n] of [['永泰北社区', 4], ['古城北社区', 3]]) {
      const grid = grids.find((g) => g.name.startsWith(prefix) && g.boundary)
      assert.ok(grid, prefix)
      for (let i = 0; i < n; i++) {
        const r = await api(page, 'POST', '/api/v1/cases', { category: i === 3 ? '0507' : '0102', title: `指挥中心测试 ${prefix} ${i + 1}`, ...inside(grid.boundary) })
        assert.equal(r.status, 201, JSON.stringify(r.body))
        const id = r.body.case.id
        assert.equal((await api(page, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'file' })).status, 200)
        if (i < 2) assert.equal((await api(page, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'dispatch' })).status, 200)
      }
    }
  } finally {
    await page.context().close()
  }
})
after(async () => {
  await browser?.close()
})

const newPage = (opts) => openPage(browser, opts)
const CARDS = [
  ['todayReported', (d) => d.today.reported],
  ['todayClosed', (d) => d.today.closed],
  ['todayOverdue', (d) => d.today.overdue],
  ['openTotal', (d) => d.open.total],
  ['openOverdue', (d) => d.open.overdue],
  ['openEscalated', (d) => d.open.escalated],
]

/** Waits for the figures and compares each card with the API's answer. */
async function checkFigures(page) {
  await page.locator('[data-testid=dash-openTotal]').waitFor()
  const want = (await api(page, 'GET', '/api/v1/dashboard')).body
  for (const [key, pick] of CARDS) {
    const text = await page.locator(`[data-testid=dash-${key}] [data-testid=dash-value]`).innerText()
    assert.equal(Number(text), pick(want).value, key)
  }
  return want
}
async function noSideways(page, width) {
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= width, 'no sideways scroll')
}

test('(a) office and leader: the figures equal the API, the overdue figure opens its cases', async () => {
  for (const [user, lang] of [['office', 'zh-CN'], ['leader', 'en']]) {
    const page = await newPage({ lang })
    try {
      await login(page, user, '/cases')
      await page.locator('[data-testid=menu-dashboard]').first().click()
      await page.waitForURL((u) => u.pathname === '/dashboard')
      const want = await checkFigures(page)
      assert.equal(want.scope, 'tenant')
      assert.ok(want.open.total.value >= 4, JSON.stringify(want.open))
      assert.ok(want.grids.length >= 2)
      // The charts carry a summary for screen readers; the map draws shapes.
      for (const id of ['chart-trend', 'chart-sources', 'chart-categories']) {
        assert.ok((await page.locator(`[data-testid=${id}]`).getAttribute('aria-label')).length > 4, id)
      }
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=dashboard-map] path.leaflet-interactive').length > 0)
      await page.waitForTimeout(600) // charts animate in
      await shot(page, `dashboard-desktop-${lang}.png`)
      await expectAccessible(assert, page, `dashboard ${user}`)
      // The overdue figure: the case list with its filter.
      await page.locator('[data-testid=dash-openOverdue]').click()
      await page.waitForURL((u) => u.pathname === '/cases')
      const url = new URL(page.url())
      for (const [k, v] of Object.entries(want.open.overdue.cases.params)) assert.equal(url.searchParams.get(k), v, k)
      const qs = new URLSearchParams({ ...want.open.overdue.cases.params, limit: '200' }).toString()
      const listed = (await api(page, 'GET', `/api/v1/cases?${qs}`)).body.items
      assert.equal(listed.length, want.open.overdue.value)
      // The open figure: the same count in the list.
      await page.goBack()
      await page.locator('[data-testid=dash-openTotal]').click()
      await page.waitForURL((u) => u.pathname === '/cases' && u.searchParams.get('open') === 'true')
      const open = (await api(page, 'GET', '/api/v1/cases?open=true&limit=200')).body.items
      assert.equal(open.length, Math.min(200, want.open.total.value))
    } finally {
      await page.context().close()
    }
  }
})

test('(b) a unit operator sees only its own figures', async () => {
  const page = await newPage()
  try {
    await login(page, 'unit', '/inbox')
    await page.goto(`${new URL(page.url()).origin}/dashboard`)
    const want = await checkFigures(page)
    assert.equal(want.scope, 'unit')
    assert.match(await page.locator('[data-testid=dashboard-scope]').innerText(), /本单位/)
    const office = await newPage()
    try {
      await login(office, 'office', '/cases')
      const all = (await api(office, 'GET', '/api/v1/dashboard')).body
      assert.ok(want.open.total.value < all.open.total.value, `${want.open.total.value} < ${all.open.total.value}`)
    } finally {
      await office.context().close()
    }
    assert.ok(want.grids.every((g) => !g.name.startsWith('古城')), JSON.stringify(want.grids.map((g) => g.name)))
    assert.ok(want.grids.some((g) => g.name.startsWith('永泰')), JSON.stringify(want.grids.map((g) => g.name)))
  } finally {
    await page.context().close()
  }
})

test('(c) the big screen at 1920×1080: dark, no app chrome, large figures, accessible', async () => {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  try {
    await login(page, 'leader', '/dashboard/screen')
    await checkFigures(page)
    assert.equal(await page.locator('[data-testid=side-menu]').count(), 0, 'no app chrome')
    const size = await page.locator('[data-testid=dash-openTotal] [data-testid=dash-value]').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
    assert.ok(size >= 56, `figure font ${size}px`)
    const bg = await page.locator('[data-testid=dashboard]').evaluate((el) => getComputedStyle(el).backgroundColor)
    assert.equal(bg, 'rgb(11, 20, 32)')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=dashboard-map] path.leaflet-interactive').length > 0)
    await page.waitForTimeout(600)
    await noSideways(page, 1920)
    // The leader's own places stay on his desk page. (The wall should not scroll either: with
    // little data it fits 1080 px, with the whole browser suite's data it was 1,104 px on
    // 2026-12-04 — the ranking charts' row; docs/supervision-progress.md, "Left".)
    assert.equal(await page.locator('[data-testid=dashboard-my-places]').count(), 0)
    await page.screenshot({ path: `${process.env.CIVICLOOP_SCREENSHOTS || '../build/screenshots'}/dashboard-screen-1920.png` })
    await expectAccessible(assert, page, 'big screen')
  } finally {
    await context.close()
  }
})

test('(d) 390 px in both languages without sideways scroll; a citizen is sent away', async () => {
  for (const lang of ['zh-CN', 'en']) {
    const page = await newPage({ mobile: true, lang })
    try {
      await login(page, 'leader', '/dashboard')
      await checkFigures(page)
      await page.waitForTimeout(600)
      await noSideways(page, 390)
      await shot(page, `dashboard-390-${lang}.png`)
      if (lang === 'zh-CN') await expectAccessible(assert, page, 'dashboard 390 px')
    } finally {
      await page.context().close()
    }
  }
  const citizen = await newPage()
  try {
    await login(citizen, 'citizen', '/dashboard', { arrive: false })
    await citizen.goto(`${new URL(citizen.url()).origin}/dashboard`)
    await citizen.waitForURL((u) => u.pathname === '/forbidden')
    assert.equal((await api(citizen, 'GET', '/api/v1/dashboard')).status, 403)
  } finally {
    await citizen.context().close()
  }
})
