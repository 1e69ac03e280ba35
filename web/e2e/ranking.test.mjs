// Browser tests of the rankings page (考核排名), against a running civicloop with the demo preset
// (see loop.test.mjs for how to start one):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/ranking.test.mjs
//
// The HQ office makes a little data through the API (six problems in a grid of 永泰街道 and six in
// 古城街道, filed and dispatched; 永泰's unit acknowledges its own; other test files sharing the
// server may add more, so the page is compared with the API's answer), then, at 1366 px and at 390 px,
// in Chinese and English:
// (a) the subdistrict ranking shows the same ranks, names, scores and grades as GET /rankings (ties
//     share a rank), the Wilson interval under each rate, the change column, the 样本不足 units apart,
//     and the red and black lists as the API names them (or their empty wording);
// (b) a figure is a link: clicking 永泰's 到期数 opens the case list filtered as the API says, and the
//     list holds the cases the API lists for those parameters;
// (c) switching the level to units asks for the unit ranking; a citizen is sent away from the page.
// The page never scrolls sideways at 390 px. Screenshots (ranking-*.png) go to CIVICLOOP_SCREENSHOTS.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage as openPage, shot, login, api, inside } from './support/browser.mjs'

let browser
before(async () => {
  browser = await launch()
  const page = await openPage(browser)
  const unit = await openPage(browser)
  try {
    await login(page, 'office', '/cases')
    await login(unit, 'unit', '/inbox', { arrive: false })
    const grids = (await api(page, 'GET', '/api/v1/org/units?kind=grid&limit=200')).body.items
    for (const prefix of ['永泰北社区', '古城北社区']) {
      const grid = grids.find((g) => g.name.startsWith(prefix) && g.boundary)
      assert.ok(grid, prefix)
      for (let i = 0; i < 6; i++) {
        const r = await api(page, 'POST', '/api/v1/cases', { category: '0102', title: `排名测试 ${prefix} ${i + 1}`, ...inside(grid.boundary) })
        assert.equal(r.status, 201, JSON.stringify(r.body))
        const id = r.body.case.id
        assert.equal((await api(page, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'file' })).status, 200)
        const d = await api(page, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'dispatch' })
        assert.equal(d.status, 200, JSON.stringify(d.body))
        if (prefix === '永泰北社区') {
          const a = await api(unit, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'acknowledge' })
          assert.equal(a.status, 200, JSON.stringify(a.body))
        }
      }
    }
  } finally {
    await page.context().close()
    await unit.context().close()
  }
})
after(async () => {
  await browser?.close()
})

const newPage = (opts) => openPage(browser, opts)

async function checkPage(page, lang, width) {
  await page.waitForURL((u) => u.pathname === '/ranking')
  await page.locator('[data-testid=ranking-level-subdistrict]').click()
  await page.waitForURL((u) => u.searchParams.get('level') === 'subdistrict')
  const want = (await api(page, 'GET', '/api/v1/rankings?level=subdistrict&period=month')).body
  assert.ok(want.items.length >= 2, JSON.stringify(want.items.map((r) => r.name)))
  const table = page.locator('[data-testid=ranking-table]')
  await table.locator('[data-testid=ranking-name]').first().waitFor()
  // Desktop: a table (its body); phone: one card per unit.
  const scope = width ? '[data-testid=ranking-table]' : '[data-testid=ranking-table] .el-table__body-wrapper'
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(`${sel} [data-testid=ranking-name]`).length === n, [scope, want.items.length])
  const body = page.locator(scope)
  const names = await body.locator('[data-testid=ranking-name]').allTextContents()
  const ranks = (await body.locator('[data-testid=ranking-rank]').allTextContents()).map(Number)
  assert.deepEqual(names, want.items.map((r) => r.name))
  assert.deepEqual(ranks, want.items.map((r) => r.rank))
  // Ties share a rank and the next skips (1, 1, 3).
  want.items.forEach((r, i) => {
    if (i === 0) return assert.equal(r.rank, 1)
    const prev = want.items[i - 1]
    assert.equal(r.rank, Math.abs(r.score - prev.score) < 0.01 ? prev.rank : i + 1)
  })
  assert.deepEqual(await body.locator('[data-testid=ranking-grade]').allTextContents(), want.items.map((r) => r.grade))
  // 永泰 acknowledged its cases in time (other test files may add to its figures: compare with the
  // API): the rate and its Wilson interval are on the page, and the change column says what the
  // API says.
  const yt = want.items.find((r) => r.name === '永泰街道')
  assert.ok(yt && yt.rates.ack_on_time.value > 0, JSON.stringify(yt?.rates))
  const row = body.locator(width ? '[data-testid=ranking-card]' : 'tr', { hasText: '永泰街道' })
  const ack = await row.locator('[data-testid=ranking-rate-ack_on_time]').innerText()
  const r = yt.rates.ack_on_time
  assert.ok(ack.includes(`${(r.value * 100).toFixed(1)}%`), ack)
  assert.ok(ack.includes(`${Math.round(r.low * 100)}–${Math.round(r.high * 100)}%`), ack)
  const change =
    yt.rank_change == null ? (lang === 'en' ? 'New' : '新进') : yt.rank_change > 0 ? `▲ ${yt.rank_change}` : yt.rank_change < 0 ? `▼ ${-yt.rank_change}` : lang === 'en' ? 'Unchanged' : '持平'
  assert.ok((await row.innerText()).includes(change), change)
  // 样本不足 listed apart.
  const apart = page.locator('[data-testid=ranking-insufficient]')
  assert.match(await apart.innerText(), lang === 'en' ? /Too few cases/ : /样本不足/)
  assert.equal(await apart.locator('[data-testid=ranking-insufficient-name]').count(), want.insufficient.length)
  // Red and black lists as the API names them.
  for (const [key, ids] of [['red', want.red], ['black', want.black]]) {
    const card = page.locator(`[data-testid=ranking-${key}]`)
    const text = await card.innerText()
    if (!ids.length) assert.match(text, lang === 'en' ? /No unit on this list/ : /本期无单位上榜/)
    for (const id of ids) assert.ok(text.includes([...want.items, ...want.insufficient].find((r) => r.id === id).name), `${key} ${id}`)
  }
  if (width) {
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= width, 'no sideways scroll')
  }
  return { want, row, yt }
}

test('(a, b) the office reads the subdistrict ranking and opens the cases behind a figure', async () => {
  for (const lang of ['zh-CN', 'en']) {
    const page = await newPage({ lang })
    try {
      await login(page, 'office', '/cases')
      await page.locator('[data-testid=menu-ranking]').first().click()
      const { row, yt } = await checkPage(page, lang)
      await shot(page, `ranking-desktop-${lang}.png`)
      // (b) the 到期数 figure opens the case list with the API's filter.
      await row.locator('[data-testid=ranking-due-link]').click()
      await page.waitForURL((u) => u.pathname === '/cases')
      const url = new URL(page.url())
      for (const [k, v] of Object.entries(yt.cases.due.params)) assert.equal(url.searchParams.get(k), v, k)
      await page.locator('[data-testid=cases-extra-filter]').waitFor()
      const qs = new URLSearchParams({ ...yt.cases.due.params, limit: '50' }).toString()
      const listed = (await api(page, 'GET', `/api/v1/cases?${qs}`)).body.items
      assert.ok(listed.length >= 6 && listed.every((c) => c.subdistrict?.name === '永泰街道'), JSON.stringify(listed.length))
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=cases-table] .el-table__body-wrapper tbody tr').length === n, listed.length)
      const first = await page.locator('[data-testid=cases-table] .el-table__body-wrapper tbody tr').first().innerText()
      assert.ok(first.includes(listed[0].case_no), first)
      if (lang === 'zh-CN') await shot(page, 'ranking-cases-zh-CN.png')
    } finally {
      await page.context().close()
    }
  }
})

test('(a) the same at 390 px, in both languages, without sideways scrolling', async () => {
  for (const lang of ['zh-CN', 'en']) {
    const page = await newPage({ mobile: true, lang })
    try {
      await login(page, 'leader', '/ranking')
      await checkPage(page, lang, 390)
      await shot(page, `ranking-390-${lang}.png`)
    } finally {
      await page.context().close()
    }
  }
})

test('(c) switching the level asks for the unit ranking; a citizen may not open the page', async () => {
  const page = await newPage()
  try {
    await login(page, 'office', '/ranking')
    const answer = page.waitForResponse((r) => r.url().includes('/api/v1/rankings') && r.url().includes('level=unit'))
    await page.locator('[data-testid=ranking-level-unit]').click()
    assert.equal((await answer).status(), 200)
    const want = (await api(page, 'GET', '/api/v1/rankings?level=unit&period=month')).body
    await page.locator('[data-testid=ranking-table]').waitFor()
    if (!want.items.length) assert.match(await page.locator('[data-testid=ranking-table]').innerText(), /本考核期暂无样本充足的单位/)
    // The quarter kind shows the quarter picker and asks for period=quarter.
    const q = page.waitForResponse((r) => r.url().includes('/api/v1/rankings') && r.url().includes('period=quarter'))
    await page.locator('[data-testid=ranking-kind-quarter]').click()
    assert.equal((await q).status(), 200)
    await page.locator('[data-testid=ranking-quarter]').waitFor()
  } finally {
    await page.context().close()
  }
  const citizen = await newPage()
  try {
    await login(citizen, 'citizen', '/ranking', { arrive: false })
    await citizen.goto(`${new URL(citizen.url()).origin}/ranking`)
    await citizen.waitForURL((u) => u.pathname === '/forbidden')
    assert.equal((await api(citizen, 'GET', '/api/v1/rankings')).status, 403)
  } finally {
    await citizen.context().close()
  }
})
