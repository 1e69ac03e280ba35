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
//
// Then the office schedules a 推进会 in the page (an empty title refused by the server at its
// field), picks its attendees as people: a deputy of 永泰街道 ticked, the heads of 永泰街道 and
// 古城街道 in one click, the two units as a whole and one removed again; adds an agenda item and a
// decision owned by the 城管局 and its head (an empty text refused at the decision); saves,
// reloads and finds them (and in the API), issues the minutes: the action item names its owner
// person. Screenshots meetings-people-*.png and meetings-picker-*.png.
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
  const yt = (await api(office, 'GET', '/api/v1/org/units?q=140213050&limit=100')).body.items.find((u) => u.code === '140213050')
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
  // Scores as the ranking page writes them: one decimal, or — for none (the units listed when
  // the suite's other files made cases; a fresh server may list none yet).
  const scores = await office.locator('[data-testid=meeting-report] .el-table__body tr td:nth-child(3)').allInnerTexts()
  for (const s of scores) assert.match(s.trim(), /^(\d+\.\d|—)$/, `score ${s}`)
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

test('the office schedules a meeting in the page: people as attendees, a decision with an owner person', async () => {
  // Who the org API says sits in the three units (the suite's other tests may add people).
  const card = async (code) => {
    const u = (await api(office, 'GET', `/api/v1/org/units?q=${code}&limit=100`)).body.items.find((x) => x.code === code)
    return (await api(office, 'GET', `/api/v1/org/units/${u.id}`)).body
  }
  const [yt, gc, dept] = [await card('140213050'), await card('140213051'), await card('DEPT01')]
  const ytHead = yt.members.find((m) => m.is_head)
  const ytOther = yt.members.find((m) => !m.is_head)
  const gcHead = gc.members.find((m) => m.is_head)
  const owner = dept.members.find((m) => m.is_head)
  assert.ok(ytHead && ytOther && gcHead && owner, 'the demo units have heads and deputies')
  const title = `创城推进会 ${stamp}`
  const pick = async (page, select, name) => {
    await select.click()
    await page.keyboard.type(name)
    await page.locator(`.el-select-dropdown__item:visible span:text-is("${name}")`).first().click()
    await page.locator('h1').click() // a multiple select stays open until a click elsewhere
  }

  // Scheduled in the list's dialog; an empty title is the server's to refuse, shown at the field.
  await office.goto(`${BASE}/meetings`)
  await office.locator('[data-testid=meetings-new]').click()
  await office.locator('[data-testid=meeting-new-kind]').click()
  await office.locator('.el-select-dropdown__item:visible', { hasText: '推进会' }).click()
  await office.locator('.el-dialog .el-date-editor input').fill('2026-11-20 09:00')
  await office.keyboard.press('Enter')
  await office.locator('input[data-testid=meeting-new-place]').click()
  await office.locator('input[data-testid=meeting-new-place]').fill('区政府二楼会议室')
  await office.locator('[data-testid=meeting-new-submit]').click()
  const titleItem = office.locator('.el-dialog .el-form-item').filter({ has: office.locator('input[data-testid=meeting-new-title]') })
  await titleItem.locator('.el-form-item__error').waitFor()
  await office.locator('input[data-testid=meeting-new-title]').fill(title)
  await office.locator('[data-testid=meeting-new-submit]').click()
  await office.waitForURL((u) => /^\/meetings\/\d+$/.test(u.pathname))
  const id = Number(new URL(office.url()).pathname.split('/').pop())

  // Attendees: 永泰街道's deputy ticked, then the heads of 永泰街道 and 古城街道, then 古城街道
  // as a unit, removed again.
  await pick(office, office.locator('[data-testid=attendee-units]'), yt.unit.name)
  await office.locator('[data-testid=attendee-member]', { hasText: ytOther.person_name }).click()
  await office.locator('[data-testid=attendee-add-selected]').click()
  await office.locator('[data-testid=attendee]', { hasText: ytOther.person_name }).waitFor()
  await pick(office, office.locator('[data-testid=attendee-units]'), gc.unit.name)
  await office.locator('[data-testid=attendee-group]').nth(1).locator('[data-testid=attendee-member]').first().waitFor()
  await office.locator('[data-testid=attendee-add-heads]').click()
  await office.locator('[data-testid=attendee-add-units]').click()
  const rows = office.locator('[data-testid=attendee]')
  assert.equal(await rows.count(), 5, (await rows.allInnerTexts()).join('|'))
  const gcRow = rows.filter({ hasText: '单位参会' }).filter({ hasText: gc.unit.name })
  await gcRow.locator('[data-testid=attendee-remove]').click()
  await rows.filter({ hasText: ytHead.person_name }).filter({ hasText: '负责人' }).waitFor()
  await rows.filter({ hasText: gcHead.person_name }).filter({ hasText: gc.unit.name }).filter({ hasText: gcHead.post_name }).waitFor()

  // An agenda item and a decision owned by the 城管局's head; its text left empty first: the
  // server's refusal shows at the decision.
  await office.locator('[data-testid=agenda-add]').click()
  await office.locator('input[data-testid=agenda-title]').last().fill('背街小巷整治推进')
  await office.locator('[data-testid=decision-add]').click()
  const decision = office.locator('[data-testid=decision]').last()
  await pick(office, decision.locator('[data-testid=unit-select]'), dept.unit.name)
  await decision.locator('[data-testid=decision-person]').click()
  await office.locator('.el-select-dropdown__item:visible', { hasText: owner.person_name }).first().click()
  await office.locator('[data-testid=meeting-save]').click()
  await decision.locator('.err').waitFor()
  await office.mouse.move(0, 0)
  await shot(office, 'meetings-people-error-zh.png')
  const decisionText = `城管局负责人牵头制定背街小巷整治方案 ${stamp}`
  await decision.locator('textarea[data-testid=decision-text]').fill(decisionText)
  await office.locator('[data-testid=meeting-save]').click()
  await office.locator('.el-message--success').first().waitFor()
  assert.equal(await decision.locator('.err').count(), 0)

  // Saved: the API has them, and a reload shows them.
  const want = [
    { unit_id: yt.unit.id, person_id: ytOther.person_id },
    { unit_id: yt.unit.id, person_id: ytHead.person_id },
    { unit_id: gc.unit.id, person_id: gcHead.person_id },
    { unit_id: yt.unit.id, person_id: null },
  ]
  const saved = (await api(office, 'GET', `/api/v1/meetings/${id}`)).body.meeting
  assert.deepEqual(saved.attendees, want)
  assert.equal(saved.decisions[0].owner_unit_id, dept.unit.id)
  assert.equal(saved.decisions[0].owner_person_id, owner.person_id)
  await office.reload()
  await rows.nth(3).waitFor()
  assert.equal(await rows.count(), 4)
  await rows.filter({ hasText: ytOther.person_name }).filter({ hasText: ytOther.post_name }).waitFor()
  await office.locator('[data-testid=decision-person]').filter({ hasText: owner.person_name }).waitFor()
  await office.locator('[data-testid=decision] [data-testid=unit-select]').filter({ hasText: dept.unit.name }).waitFor()
  await office.mouse.move(0, 0)
  await expectAccessible(assert, office, 'meeting page with attendees')
  await shot(office, 'meetings-people-zh.png')

  // Issued: read-only, the owner person with the action item; English and the phone.
  await office.locator('[data-testid=meeting-issue]').click()
  await office.locator('.el-message-box .el-button--primary').click()
  await office.locator('[data-testid=meeting-items] [data-testid=item-owner-person]', { hasText: owner.person_name }).waitFor()
  await office.locator('[data-testid=decision-owner]', { hasText: owner.person_name }).waitFor()
  assert.equal(await office.locator('[data-testid=attendee-remove]').count(), 0)
  const item = (await api(office, 'GET', `/api/v1/action-items?meeting_id=${id}`)).body.items[0]
  assert.equal(item.owner_person_id, owner.person_id)
  await office.mouse.move(0, 0)
  await expectAccessible(assert, office, 'issued meeting with attendees')
  await shot(office, 'meetings-people-issued-zh.png')
  const en = await newPage(browser, { lang: 'en' })
  await login(en, 'office', `/meetings/${id}`)
  await en.locator('[data-testid=attendee]').nth(3).waitFor()
  await en.locator('[data-testid=attendee]', { hasText: 'the unit as a whole' }).waitFor()
  await en.locator('[data-testid=item-owner-person]', { hasText: owner.person_name }).waitFor()
  await shot(en, 'meetings-people-en.png')
  await en.context().close()
  for (const lang of ['zh-CN', 'en']) {
    const phone = await newPage(browser, { mobile: true, lang })
    await login(phone, 'office', `/meetings/${id}`)
    await phone.locator('[data-testid=attendee]').nth(3).waitFor()
    await expectAccessible(assert, phone, `issued meeting at 390 px (${lang})`)
    await shot(phone, `meetings-people-390-${lang === 'en' ? 'en' : 'zh'}.png`)
    await phone.context().close()
  }
})

test('a scheduled meeting\'s attendee picker at 390 px and in English', async () => {
  const held = new Date(Date.now() + 3 * 24 * 3600 * 1000)
  const yt = (await api(office, 'GET', '/api/v1/org/units?q=140213050&limit=100')).body.items.find((u) => u.code === '140213050')
  const r = await api(office, 'POST', '/api/v1/meetings', { kind: 'special', title: `专题会 ${stamp}`, starts_at: held.toISOString().replace(/\.\d{3}Z$/, 'Z') })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  for (const lang of ['zh-CN', 'en']) {
    for (const mobile of [true, false]) {
      const page = await newPage(browser, { mobile, lang })
      await login(page, 'office', `/meetings/${r.body.meeting.id}`)
      await page.locator('[data-testid=attendee-units]').click()
      await page.keyboard.type(yt.name)
      await page.locator(`.el-select-dropdown__item:visible span:text-is("${lang === 'en' ? yt.name_en : yt.name}")`).first().click()
      await page.locator('h1').click()
      await page.locator('[data-testid=attendee-member]').first().waitFor()
      await page.locator('[data-testid=attendee-add-heads]').click()
      await page.locator('[data-testid=attendee]').first().waitFor()
      await page.mouse.move(0, 0)
      await expectAccessible(assert, page, `attendee picker (${lang}${mobile ? ', 390 px' : ''})`)
      await shot(page, `meetings-picker-${mobile ? '390-' : ''}${lang === 'en' ? 'en' : 'zh'}.png`)
      await page.context().close()
    }
  }
})
