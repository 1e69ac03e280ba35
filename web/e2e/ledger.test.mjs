// Browser tests of readable output, against a running civicloop with the demo preset (see
// loop.test.mjs for how to start one):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/ledger.test.mjs
//
// The ledger page shows what an official reads: a dispatch's changes as 责任单位 永泰街道 (not
// `assigned_unit_id 21`), 状态 待签收, the case by its number, the action as 派遣; and the same in
// English after the language switch; at 390 px the page shows cards and never scrolls sideways; a
// liaison by its unit and leader (包联 永泰北社区 · 王某), not 包联 #12; an event no user made by
// 系统 / System, not `system`. The notices list shows a closed notice without time left.
// Screenshots (ledger-*.png, notices-*.png, desktop and 390 px, zh-CN and en) go to
// CIVICLOOP_SCREENSHOTS (default ../build/screenshots).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage as openPage, shot, login, api } from './support/browser.mjs'

let browser

before(async () => {
  browser = await launch()
})

after(async () => {
  await browser?.close()
})

const newPage = (opts) => openPage(browser, opts)

async function setEnglish(page, english) {
  await page.evaluate((en) => localStorage.setItem('civicloop.lang', en ? 'en' : 'zh-CN'), english)
  await page.reload()
}

test('the ledger shows a dispatch in words, in Chinese and in English', async () => {
  const page = await newPage()
  await login(page, 'office', '/ledger')
  // A case placed by hand: reported with an address only, filed, dispatched to 永泰街道.
  const units = await api(page, 'GET', '/api/v1/org/units?kind=subdistrict&limit=50')
  assert.equal(units.status, 200)
  const yongtai = units.body.items.find((u) => u.name === '永泰街道')
  assert.ok(yongtai, 'the demo has 永泰街道')
  const r = await api(page, 'POST', '/api/v1/cases', {
    category: '0102',
    title: '台账可读性核对',
    description: '路边堆放生活垃圾',
    address: '永泰路21号',
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const id = r.body.case.id
  const caseNo = r.body.case.case_no
  assert.equal((await api(page, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'file' })).status, 200)
  const d = await api(page, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'dispatch', unit_id: yongtai.id, note: '按地址人工定位至永泰街道' })
  assert.equal(d.status, 200, JSON.stringify(d.body))

  for (const english of [false, true]) {
    await setEnglish(page, english)
    const table = page.locator('[data-testid=ledger-table]')
    const row = table.locator('.el-table__row', { hasText: caseNo }).first()
    await row.waitFor()
    // The case by its number, the action by its name.
    await assert.doesNotReject(row.getByText(english ? `Case ${caseNo}` : `问题 ${caseNo}`).first().waitFor())
    await assert.doesNotReject(row.getByText(english ? 'Dispatch' : '派遣', { exact: true }).first().waitFor())
    await row.locator('.el-table__expand-icon').click()
    const diff = page.locator('.diff').first()
    await diff.waitFor()
    const text = await diff.innerText()
    assert.match(text, english ? /Responsible unit/ : /责任单位/)
    assert.match(text, /永泰街道/)
    assert.match(text, english ? /To acknowledge/ : /待签收/)
    assert.doesNotMatch(text, /assigned_unit_id/)
    assert.doesNotMatch(text, /\bdispatched\b/)
    await shot(page, `ledger-${english ? 'en' : 'zh'}-desktop.png`)
  }
  await page.context().close()

  // The phone width, both languages: cards instead of the table, nothing wider than the screen.
  for (const english of [false, true]) {
    const phone = await newPage({ mobile: true })
    await login(phone, 'office', '/ledger')
    await setEnglish(phone, english)
    const card = phone.locator('[data-testid=ledger-card]', { hasText: caseNo }).first()
    await card.waitFor()
    assert.equal(await phone.locator('[data-testid=ledger-table]').count(), 0, 'no table on a phone')
    await card.locator('[data-testid=ledger-card-expand]').click()
    const diff = card.locator('.diff')
    await diff.waitFor()
    assert.match(await diff.innerText(), english ? /Responsible unit/ : /责任单位/)
    assert.ok(await noSidewaysScroll(phone), 'the ledger at 390 px scrolls sideways')
    await shot(phone, `ledger-${english ? 'en' : 'zh'}-390.png`)
    // The close-out ledger too.
    await phone.locator('[data-testid=ledger-tabs] .el-tabs__item', { hasText: english ? 'Closed cases' : '销号台账' }).first().click()
    await phone.locator('[data-testid=ledger-closed-cards]').waitFor()
    assert.ok(await noSidewaysScroll(phone), 'the close-out ledger at 390 px scrolls sideways')
    await shot(phone, `ledger-closed-${english ? 'en' : 'zh'}-390.png`)
    await phone.context().close()
  }
})

/** The page is no wider than the window (nothing to scroll sideways). */
async function noSidewaysScroll(page) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }))
  return scroll <= width && scroll <= 390
}

test('liaisons by name, and the system as 系统 / System', async () => {
  const page = await newPage()
  await login(page, 'admin', '/ledger')
  // Take a liaison off and put it back: two ledger events about it, the state as it was.
  const list = await api(page, 'GET', '/api/v1/org/liaisons')
  assert.equal(list.status, 200, JSON.stringify(list.body))
  const l = list.body.items[0]
  assert.ok(l, 'the demo has liaisons')
  assert.equal((await api(page, 'DELETE', `/api/v1/org/liaisons/${l.id}`)).status, 204)
  const back = await api(page, 'PUT', '/api/v1/org/liaisons', { unit_id: l.unit_id, leader_id: l.leader_id })
  assert.equal(back.status, 200, JSON.stringify(back.body))
  const unitName = back.body.unit_name ?? l.unit_name
  const leaderName = back.body.leader_name ?? l.leader_name
  assert.ok(unitName && leaderName, JSON.stringify(back.body))

  for (const english of [false, true]) {
    await setEnglish(page, english)
    const filter = page.locator('[data-testid=ledger-entity-filter]')
    await filter.click()
    await page.locator('.el-select-dropdown__item', { hasText: english ? 'Liaison' : '包联' }).first().click()
    const row = page.locator('[data-testid=ledger-table] .el-table__row').first()
    await row.waitFor()
    const entity = await row.locator('[data-testid=ledger-entity]').innerText()
    assert.equal(entity, `${english ? 'Liaison' : '包联'} ${unitName} · ${leaderName}`)
    assert.doesNotMatch(entity, /#\d+/)
    await row.locator('.el-table__expand-icon').click()
    const diff = page.locator('.diff').first()
    await diff.waitFor()
    const text = await diff.innerText()
    assert.match(text, english ? /Liaison leader/ : /包联领导/)
    assert.doesNotMatch(text, /leader_id|unit_name/)
    await shot(page, `ledger-liaison-${english ? 'en' : 'zh'}-desktop.png`)

    // The demo's users were made by `civicloop init`, which no user ran: its events say 系统.
    await filter.click()
    await page.locator('.el-select-dropdown__item', { hasText: english ? 'User' : '用户' }).first().click()
    await page.locator('[data-testid=ledger-table] .el-table__row').first().waitFor()
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=ledger-entity]')].every((e) => /^(用户|User)/.test(e.textContent ?? '')))
    const actors = await page.locator('[data-testid=ledger-table] [data-testid=ledger-actor]').allInnerTexts()
    assert.ok(actors.includes(english ? 'System' : '系统'), `an event by the system: ${actors}`)
    assert.ok(!actors.includes('system'), `the system's stored name shown: ${actors}`)
  }
  await page.context().close()
})

test('the notices list: a closed notice has no time left', async () => {
  for (const mobile of [false, true]) {
    for (const english of [false, true]) {
      const page = await newPage({ mobile })
      await login(page, 'office', '/notices')
      await setEnglish(page, english)
      await page.locator('.el-table__row, .el-table__empty-text').first().waitFor()
      await shot(page, `notices-${english ? 'en' : 'zh'}-${mobile ? '390' : 'desktop'}.png`)
      await page.context().close()
    }
  }
  // Every notice the API calls closed shows "—" where the time left would be.
  const page = await newPage()
  await login(page, 'office', '/notices')
  const all = await api(page, 'GET', '/api/v1/notices?open=false&limit=200')
  assert.equal(all.status, 200)
  for (const n of all.body.items) {
    if (!n.open) assert.equal(n.remaining_ms, null, `notice ${n.number} is closed but counts time`)
  }
  await page.context().close()
})
