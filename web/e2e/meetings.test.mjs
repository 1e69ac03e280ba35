// Browser tests of meetings and their action items (会议督办), against a running civicloop with the
// demo preset (tests/browser_test.sh, /work/e2e-one.sh):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/meetings.test.mjs
//
// The HQ office schedules a regular meeting held ten days ago (through the API: its agenda and
// three decisions, one for 永泰街道 within one working day, one for the 城管局 and one for 古城街道
// within sixty), then on the meeting page writes the minutes of an agenda item, saves, and issues
// the minutes: three action items appear. The one-day item is long past its deadline, counted from
// the meeting in working time; the server's scheduler sweeps every 30 s, so the test waits (at most
// a minute, never working hours) until the item is overdue and escalated, and the page shows it in
// red with its 督办 level. 永泰街道's unit finds only its own item under 我的待办 › 会议督办 and closes
// it with a note and a photo. The minutes PDF (pdftotext) lists all three decisions with their
// state. Each page passes axe (WCAG 2.1 AA); screenshots meetings-*.png at 1366 px and 390 px, in
// Chinese and English. A citizen and a unit are kept from /meetings.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { launch, newPage, shot, login, api, fixture, BASE } from './support/browser.mjs'
import { expectAccessible } from './support/axe.mjs'

let browser
let office
let meetingId
let items = []
const stamp = Date.now().toString(36)
const texts = [`永泰街道一日内清理占道经营 ${stamp}`, `城管局制定夜市规范方案 ${stamp}`, `古城街道整治背街小巷 ${stamp}`]

before(async () => {
  browser = await launch()
  office = await newPage(browser)
  await login(office, 'office', '/meetings')
  const units = async (code) => (await api(office, 'GET', `/api/v1/org/units?q=${code}&limit=100`)).body.items.find((u) => u.code === code).id
  const own = await units('140213050')
  const other = await units('140213051')
  const dept = await units('DEPT01')
  const held = new Date(Date.now() - 10 * 24 * 3600 * 1000)
  held.setUTCHours(1, 0, 0, 0) // 09:00 in Pingcheng
  const decision = (text, unit, amount) => ({ text, owner_unit_id: unit, limit: { amount, unit: 'working_days' } })
  const r = await api(office, 'POST', '/api/v1/meetings', {
    kind: 'regular',
    title: `创城工作例会 ${stamp}`,
    starts_at: held.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    place: '区政府三楼会议室',
    attendees: [{ unit_id: own }, { unit_id: dept }, { unit_id: other }],
    agenda: [{ title: '全区问题整改进展', minutes: '' }, { title: '下步工作安排', minutes: '按期完成议定事项。' }],
    decisions: [decision(texts[0], own, 1), decision(texts[1], dept, 60), decision(texts[2], other, 60)],
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  meetingId = r.body.meeting.id
})

after(async () => {
  await browser?.close()
})

test('the office writes the minutes and issues them: three decisions make three action items', async () => {
  await office.goto(`${BASE}/meetings`)
  await office.locator(`[data-testid=meeting-link]:has-text("${stamp}")`).waitFor()
  await expectAccessible(assert, office, 'meetings list')
  await shot(office, 'meetings-list-zh.png')
  await office.locator(`[data-testid=meeting-link]:has-text("${stamp}")`).click()
  await office.waitForURL((u) => u.pathname === `/meetings/${meetingId}`)
  await office.locator('textarea[data-testid=agenda-minutes]').first().fill('永泰街道占道经营问题反复出现，须限期清理。')
  await office.locator('[data-testid=meeting-save]').click()
  await office.locator('.el-message--success').first().waitFor()
  await office.locator('[data-testid=meeting-report]').waitFor()
  await office.mouse.move(0, 0) // no button left in its hover state
  await expectAccessible(assert, office, 'meeting page (scheduled)')
  await shot(office, 'meetings-edit-zh.png')
  await office.locator('[data-testid=meeting-issue]').click()
  await office.locator('.el-message-box .el-button--primary').click()
  await office.locator('[data-testid=meeting-items] .el-table__row').nth(2).waitFor()
  assert.equal(await office.locator('[data-testid=meeting-items] .el-table__row').count(), 3)
  const v = await api(office, 'GET', `/api/v1/meetings/${meetingId}`)
  assert.equal(v.body.meeting.state, 'minuted')
  assert.equal(v.body.meeting.agenda[0].minutes, '永泰街道占道经营问题反复出现，须限期清理。')
  items = v.body.items
  assert.deepEqual(items.map((i) => i.text), texts)
})

test('the one-day item runs overdue and escalates; the page shows it in red', async () => {
  // The scheduler's sweep (every 30 s) reports the marks the item passed since the meeting.
  let item
  for (let i = 0; i < 40; i++) {
    item = (await api(office, 'GET', `/api/v1/action-items/${items[0].id}`)).body.item
    if (item.escalation_level >= 3) break
    await new Promise((res) => setTimeout(res, 2000))
  }
  assert.ok(item.overdue, JSON.stringify(item))
  assert.equal(item.escalation_level, 3, 'past 200 % of its limit: the top of the ladder')
  const second = (await api(office, 'GET', `/api/v1/action-items/${items[1].id}`)).body.item
  assert.equal(second.overdue, false)
  await office.reload()
  const state = office.locator('[data-testid=meeting-items] .el-table__row').first().locator('[data-testid=item-state]')
  await state.filter({ hasText: '第3级督办' }).waitFor()
  const colour = await state.evaluate((el) => getComputedStyle(el).color)
  assert.equal(colour, 'rgb(176, 0, 32)', 'overdue in red')
  await expectAccessible(assert, office, 'meeting page (minuted)')
  await shot(office, 'meetings-items-zh.png')
  const phone = await newPage(browser, { mobile: true })
  await login(phone, 'office', `/meetings/${meetingId}`)
  await phone.locator('[data-testid=meeting-items] .el-table__row').nth(2).waitFor()
  await expectAccessible(assert, phone, 'meeting page at 390 px')
  await shot(phone, 'meetings-items-390-zh.png')
  await phone.context().close()
  const en = await newPage(browser, { lang: 'en' })
  await login(en, 'office', `/meetings/${meetingId}`)
  await en.locator('[data-testid=item-state]').filter({ hasText: 'level 3' }).waitFor()
  await shot(en, 'meetings-items-en.png')
  await en.goto(`${BASE}/meetings`)
  await en.locator('[data-testid=meeting-link]').first().waitFor()
  await expectAccessible(assert, en, 'meetings list (en)')
  await shot(en, 'meetings-list-en.png')
  await en.context().close()
})

test('the unit sees only its own item and closes it with a photo', async () => {
  const unit = await newPage(browser)
  await login(unit, 'unit', '/inbox')
  await unit.locator('.el-tabs__item', { hasText: '会议督办' }).click()
  await unit.locator('[data-testid=inbox-items] .el-table__row').first().waitFor()
  const rows = unit.locator('[data-testid=inbox-items] .el-table__row')
  const all = await rows.allInnerTexts()
  assert.ok(all.some((t) => t.includes(texts[0])), all.join('|'))
  assert.ok(!all.some((t) => t.includes(texts[1]) || t.includes(texts[2])), 'another unit\'s items are not listed')
  await expectAccessible(assert, unit, 'inbox action items')
  await shot(unit, 'meetings-unit-zh.png')
  const mine = rows.filter({ hasText: texts[0] })
  await mine.locator('[data-testid=item-close]').click()
  await unit.locator('textarea[data-testid=item-close-note]').fill('已清理永泰路占道经营摊点12处')
  const photo = path.join(os.tmpdir(), `meeting-${stamp}.jpg`)
  fs.writeFileSync(photo, fixture('district_gps.jpg'))
  await unit.locator('input[data-testid=item-close-photo]').setInputFiles(photo)
  await expectAccessible(assert, unit, 'close dialog')
  await unit.locator('[data-testid=item-close-submit]').click()
  await mine.locator('[data-testid=item-state]').filter({ hasText: '已办结' }).waitFor()
  await mine.locator('[data-testid=item-photo]').waitFor()
  const done = (await api(unit, 'GET', `/api/v1/action-items/${items[0].id}`)).body.item
  assert.equal(done.state, 'done')
  assert.ok(done.has_photo)
  // Another unit's item is refused to it.
  const refused = await api(unit, 'GET', `/api/v1/action-items/${items[2].id}`)
  assert.equal(refused.status, 403)
  await shot(unit, 'meetings-unit-closed-zh.png')
  const phone = await newPage(browser, { mobile: true, lang: 'en' })
  await login(phone, 'unit', '/inbox')
  await phone.locator('.el-tabs__item', { hasText: 'Meeting items' }).click()
  await phone.locator('[data-testid=inbox-items] .el-table__row').first().waitFor()
  await expectAccessible(assert, phone, 'inbox action items at 390 px (en)')
  await shot(phone, 'meetings-unit-390-en.png')
  await phone.context().close()
  // A unit and a citizen are kept from the meetings pages.
  await unit.goto(`${BASE}/meetings`)
  await unit.waitForURL((u) => u.pathname === '/forbidden')
  await unit.context().close()
  const citizen = await newPage(browser)
  await login(citizen, 'citizen', '/meetings', { arrive: false })
  await citizen.waitForURL((u) => u.pathname === '/forbidden')
  assert.equal((await api(citizen, 'GET', '/api/v1/action-items')).status, 403)
  await citizen.context().close()
})

test('the minutes PDF lists all three decisions with their state', async () => {
  const b64 = await office.evaluate(async (id) => {
    const res = await fetch(`/api/v1/meetings/${id}/minutes.pdf?lang=zh-CN`)
    const buf = new Uint8Array(await res.arrayBuffer())
    let s = ''
    for (const c of buf) s += String.fromCharCode(c)
    return btoa(s)
  }, meetingId)
  const file = path.join(os.tmpdir(), `minutes-${stamp}.pdf`)
  fs.writeFileSync(file, Buffer.from(b64, 'base64'))
  const text = execFileSync('pdftotext', ['-raw', file, '-']).toString().replace(/\s+/g, '')
  for (const t of texts) assert.ok(text.includes(t.replace(/\s+/g, '')), `${t} in the minutes`)
  assert.ok(text.includes('超期后办结'), text)
  assert.equal((text.match(/办理中/g) || []).length, 2, text)
  assert.ok(text.includes('会议议定事项'))
  assert.ok(text.includes('永泰街道占道经营问题反复出现'))
  const png = path.join(process.env.CIVICLOOP_SCREENSHOTS || path.join(os.tmpdir()), 'meetings-minutes-pdf')
  try {
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, png])
  } catch {
    // pdftoppm is for looking at the page; the text checks above are the test
  }
})
