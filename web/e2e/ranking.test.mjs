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
// (d) the reporter level (上报人) lists the people the API ranks, with a person's columns, and a
//     report count opens the case list of his reports;
// (e) a range period (two day pickers) shows the API's ranking of the range; a range ending before
//     it starts shows the server's own message (kpi.bad_period) in place of the table;
// (f) a name opens the KPI detail drawer (GET /kpis?id=…): every figure with its definition, the
//     drawer's period switch, and its dispatched count opens the case list with as many cases.
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

// ---- The reporter level, a range period, and the detail drawer ----

/** GET from inside the page in a language (the server localises its messages by Accept-Language). */
async function getIn(page, url, lang) {
  return page.evaluate(
    async ({ url, lang }) => {
      const res = await fetch(url, { headers: { 'Accept-Language': lang } })
      return { status: res.status, body: await res.json() }
    },
    { url, lang },
  )
}

/** Types a day into an Element Plus date picker and confirms it. */
async function typeDay(page, testid, day) {
  const el = page.locator(`[data-testid=${testid}]`)
  const input = (await el.evaluate((e) => e.tagName)) === 'INPUT' ? el : el.locator('input')
  await input.click()
  await input.fill(day)
  await input.press('Enter')
  await page.keyboard.press('Escape')
}

const casesRows = (page) => page.locator('[data-testid=cases-table] .el-table__body-wrapper tbody tr')

/** After a figure's link: the case list carries the API's params and lists `total` cases (50 a page). */
async function checkCaseList(page, link, total) {
  await page.waitForURL((u) => u.pathname === '/cases')
  const url = new URL(page.url())
  for (const [k, v] of Object.entries(link.params)) assert.equal(url.searchParams.get(k), v, k)
  await page.locator('[data-testid=cases-extra-filter]').waitFor()
  const qs = new URLSearchParams({ ...link.params, limit: '200' }).toString()
  const listed = (await api(page, 'GET', `/api/v1/cases?${qs}`)).body.items
  if (link.exact && total < 200) assert.equal(listed.length, total, `the list holds the figure's ${total} cases`)
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=cases-table] .el-table__body-wrapper tbody tr').length === n, Math.min(listed.length, 50))
  if (listed.length > 50) await page.locator('[data-testid=cases-more]').waitFor()
  if (listed.length) assert.ok((await casesRows(page).first().innerText()).includes(listed[0].case_no))
  return listed
}

test('(d) the reporter level ranks the people who report; a count opens their cases', async () => {
  for (const [lang, mobile] of [['zh-CN', false], ['en', false], ['zh-CN', true], ['en', true]]) {
    const page = await newPage({ lang, mobile })
    try {
      await login(page, 'office', '/ranking')
      const answer = page.waitForResponse((r) => r.url().includes('/api/v1/rankings') && r.url().includes('level=reporter'))
      await page.locator('[data-testid=ranking-level-reporter]').click()
      assert.equal((await answer).status(), 200)
      await page.waitForURL((u) => u.searchParams.get('level') === 'reporter')
      const want = (await api(page, 'GET', '/api/v1/rankings?level=reporter&period=month')).body
      // The office reported the twelve problems of this file: it is among the people ranked.
      const all = [...want.items, ...want.insufficient]
      assert.ok(want.items.length >= 1 && all.every((r) => r.avg_handling_hours == null), JSON.stringify(all.map((r) => r.name)))
      const scope = mobile ? '[data-testid=ranking-table]' : '[data-testid=ranking-table] .el-table__body-wrapper'
      await page.waitForFunction(([sel, n]) => document.querySelectorAll(`${sel} [data-testid=ranking-name]`).length === n, [scope, want.items.length])
      assert.deepEqual(await page.locator(scope).locator('[data-testid=ranking-name]').allTextContents(), want.items.map((r) => r.name))
      // The columns are a person's: reports, valid reports and verifications, not cases due.
      const text = await page.locator('[data-testid=ranking-table]').innerText()
      for (const word of lang === 'en' ? ['Reports', 'Valid reports', 'Verified on time'] : ['上报数', '有效上报率', '按时核查率']) assert.ok(text.includes(word), word)
      if (!mobile) assert.ok(text.includes(lang === 'en' ? 'Reporter' : '上报人'))
      assert.equal(await page.locator('[data-testid=ranking-due-link]').count(), 0)
      const top = want.items[0]
      const card = page.locator(scope).locator(mobile ? '[data-testid=ranking-card]' : 'tr').first()
      const valid = await card.locator('[data-testid=ranking-rate-valid_report]').innerText()
      assert.ok(valid.includes(`${(top.rates.valid_report.value * 100).toFixed(1)}%`), valid)
      assert.match(await page.locator('[data-testid=ranking-insufficient]').innerText(), lang === 'en' ? /fewer than \d+ reports/ : /上报少于 \d+ 件的人员/)
      if (mobile) assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'no sideways scroll')
      await shot(page, `ranking-reporter-${mobile ? 390 : 1366}-${lang}.png`)
      if (lang === 'zh-CN' && !mobile) {
        // The top reporter's report count opens the case list of his reports in the month.
        const link = card.locator('[data-testid=ranking-reported-link]')
        assert.equal(Number(await link.innerText()), top.reported)
        await link.click()
        await checkCaseList(page, top.cases.reported, top.reported)
        assert.equal(new URL(page.url()).searchParams.get('reporter_id'), String(top.id))
      }
    } finally {
      await page.context().close()
    }
  }
})

test('(e) a range period shows its figures; a range the server refuses shows its message', async () => {
  for (const lang of ['zh-CN', 'en']) {
    const page = await newPage({ lang })
    try {
      await login(page, 'office', '/ranking')
      await page.locator('[data-testid=ranking-level-subdistrict]').click()
      await page.waitForURL((u) => u.searchParams.get('level') === 'subdistrict' && u.searchParams.get('period') === 'month')
      await page.locator('[data-testid=ranking-range]').waitFor()
      const month = (await api(page, 'GET', '/api/v1/rankings?level=subdistrict&period=month')).body.period
      // The range starts as the month on screen.
      const asked = page.waitForResponse((r) => r.url().includes('/api/v1/rankings') && r.url().includes('period=range'))
      await page.locator('[data-testid=ranking-kind-range]').click()
      assert.equal((await asked).status(), 200)
      await page.waitForURL((u) => u.searchParams.get('period') === 'range' && u.searchParams.get('from') === month.from && u.searchParams.get('to') === month.to)
      const from = month.from
      // Then the month so far: from its first day to today (the tenant's today, as the server says).
      const to = (await api(page, 'GET', '/api/v1/rankings?level=subdistrict&period=day')).body.period.to
      await typeDay(page, 'ranking-to', to)
      await page.waitForURL((u) => u.searchParams.get('to') === to)
      const want = (await api(page, 'GET', `/api/v1/rankings?level=subdistrict&period=range&from=${from}&to=${to}`)).body
      assert.equal(want.period.kind, 'range')
      await page.waitForFunction((t) => document.querySelector('[data-testid=ranking-range]')?.textContent.includes(t), to)
      const body = page.locator('[data-testid=ranking-table] .el-table__body-wrapper')
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=ranking-table] .el-table__body-wrapper [data-testid=ranking-name]').length === n, want.items.length)
      assert.deepEqual(await body.locator('[data-testid=ranking-name]').allTextContents(), want.items.map((r) => r.name))
      assert.deepEqual((await body.locator('[data-testid=ranking-rank]').allTextContents()).map(Number), want.items.map((r) => r.rank))
      const range = await page.locator('[data-testid=ranking-range]').innerText()
      assert.ok(range.includes(want.period.from) && range.includes(want.previous.from), range)
      // The average handling time column is there, as the API gives it (— without closed cases).
      const yt = want.items.find((r) => r.name === '永泰街道')
      if (yt) {
        const h = await body.locator('tr', { hasText: '永泰街道' }).locator('[data-testid=ranking-handling]').innerText()
        if (yt.avg_handling_hours == null) assert.equal(h.trim(), '—')
        else assert.match(h, lang === 'en' ? /\d+ ?(d|h|min)/ : /\d+(天|小时|分)/)
      }
      await shot(page, `ranking-range-1366-${lang}.png`)
      // A range ending before it starts: the server refuses it and the page shows its message.
      const d = new Date(`${from}T12:00:00Z`)
      d.setUTCDate(d.getUTCDate() - 1)
      const dayBefore = d.toISOString().slice(0, 10)
      const bad = (await getIn(page, `/api/v1/rankings?level=subdistrict&period=range&from=${from}&to=${dayBefore}`, lang)).body
      assert.equal(bad.error.code, 'kpi.bad_period')
      const refused = page.waitForResponse((r) => r.url().includes('/api/v1/rankings') && r.url().includes(`to=${dayBefore}`))
      await typeDay(page, 'ranking-to', dayBefore)
      assert.equal((await refused).status(), 400)
      const alert = page.locator('[data-testid=ranking-error]')
      await page.waitForFunction((m) => document.querySelector('[data-testid=ranking-error]')?.textContent.includes(m), bad.error.message)
      assert.ok((await alert.innerText()).includes(bad.error.message))
      assert.equal(await page.locator('[data-testid=ranking-table] [data-testid=ranking-name]').count(), 0)
      await shot(page, `ranking-range-error-1366-${lang}.png`)
    } finally {
      await page.context().close()
    }
  }
})

test('(f) a row opens the place\'s KPI detail; its count opens the case list with the same total', async () => {
  for (const [lang, mobile] of [['zh-CN', false], ['en', false], ['zh-CN', true], ['en', true]]) {
    const page = await newPage({ lang, mobile })
    try {
      await login(page, 'office', '/ranking')
      await page.locator('[data-testid=ranking-level-subdistrict]').click()
      await page.waitForURL((u) => u.searchParams.get('level') === 'subdistrict' && u.searchParams.get('period') === 'month')
      const ranked = (await api(page, 'GET', '/api/v1/rankings?level=subdistrict&period=month')).body
      const yt = ranked.items.find((r) => r.name === '永泰街道')
      assert.ok(yt)
      const scope = mobile ? '[data-testid=ranking-table] [data-testid=ranking-card]' : '[data-testid=ranking-table] .el-table__body-wrapper tr'
      const row = page.locator(scope, { hasText: '永泰街道' })
      const asked = page.waitForResponse((r) => r.url().includes('/api/v1/kpis') && r.url().includes(`id=${yt.id}`) && r.url().includes('level=subdistrict'))
      await row.locator('[data-testid=ranking-open-detail]').click()
      assert.equal((await asked).status(), 200)
      const drawer = page.locator('.el-drawer', { has: page.locator('[data-testid=kpi-detail-count-dispatched]') })
      await drawer.waitFor()
      const want = (await api(page, 'GET', `/api/v1/kpis?level=subdistrict&id=${yt.id}&period=month`)).body.items[0]
      assert.equal(want.id, yt.id)
      const text = await drawer.innerText()
      assert.ok(text.includes('永泰街道'))
      // Every figure with its definition; the counts and rates as the API gives them.
      for (const f of ['reported', 'dispatched', 'due', 'closed', 'overdue', 'recurred']) {
        const v = await drawer.locator(`[data-testid=kpi-detail-count-${f}] .val`).innerText()
        assert.ok(v.startsWith(String(want[f])), `${f}: ${v}`)
      }
      for (const word of lang === 'en' ? ['Average working time from dispatch', 'Closed ÷ due', 'Filed or fixed on the spot ÷ reported', 'Avg. handling time'] : ['从派遣到最后一次提交整改', '已销号的 ÷ 到期数', '立案或当场整改的 ÷ 上报数', '平均处置时长']) {
        assert.ok(text.includes(word), word)
      }
      const ack = await drawer.locator('[data-testid=kpi-detail-rate-ack_on_time]').innerText()
      assert.ok(ack.includes(`${(want.rates.ack_on_time.value * 100).toFixed(1)}%`) && ack.includes(`${want.rates.ack_on_time.num}/${want.rates.ack_on_time.den}`), ack)
      assert.ok(await drawer.locator('[data-testid=kpi-detail-rate-valid_report]').count())
      if (mobile) assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'no sideways scroll')
      await shot(page, `ranking-detail-${mobile ? 390 : 1366}-${lang}.png`)
      if (mobile) continue
      // The drawer's own period switch: the week (of the day the month starts, as the picker keeps
      // its day) asks for period=week and shows that week's figures.
      const week = page.waitForResponse((r) => r.url().includes('/api/v1/kpis') && r.url().includes('period=week'))
      await drawer.locator('[data-testid=kpi-detail-kind-week]').click()
      assert.equal((await week).status(), 200)
      const wk = (await api(page, 'GET', `/api/v1/kpis?level=subdistrict&id=${yt.id}&period=week&date=${ranked.period.from}`)).body
      await page.waitForFunction((t) => document.querySelector('[data-testid=kpi-detail-range]')?.textContent.includes(t), wk.period.from)
      await page.waitForFunction((n) => document.querySelector('[data-testid=kpi-detail-count-dispatched] .val')?.textContent.trim().startsWith(String(n)), wk.items[0].dispatched)
      // Back to the month: this file dispatched six cases in 永泰 today.
      const back = page.waitForResponse((r) => r.url().includes('/api/v1/kpis') && r.url().includes('period=month'))
      await drawer.locator('[data-testid=kpi-detail-kind-month]').click()
      assert.equal((await back).status(), 200)
      await page.waitForFunction((t) => document.querySelector('[data-testid=kpi-detail-range]')?.textContent.includes(t), ranked.period.to)
      assert.ok(want.dispatched >= 6, `dispatched ${want.dispatched}`)
      await page.waitForFunction((n) => document.querySelector('[data-testid=kpi-detail-count-dispatched] .val')?.textContent.trim().startsWith(String(n)), want.dispatched)
      if (lang === 'zh-CN') {
        // The dispatched count opens the case list with the API's params and as many cases.
        await drawer.locator('[data-testid=kpi-detail-count-dispatched] [data-testid=kpi-detail-link]').click()
        const listed = await checkCaseList(page, want.cases.dispatched, want.dispatched)
        assert.ok(listed.every((c) => c.subdistrict?.name === '永泰街道'))
        await shot(page, 'ranking-detail-cases-zh-CN.png')
      }
    } finally {
      await page.context().close()
    }
  }
})
