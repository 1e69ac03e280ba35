// Browser tests of the bulletins (通报), against a running civicloop with the demo preset (see
// loop.test.mjs for how to start one):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/bulletins.test.mjs
//
// Some data first, through the API: three problems in 永泰北社区 dispatched to 永泰街道, one of them
// taken through to close-out with a before and an after photo. Then, in the browser:
// (a) the office drafts this week's bulletin on /bulletins, the editor shows the frozen figures,
//     which equal the sums of GET /api/v1/kpis?level=unit&period=week for the week; it edits a
//     paragraph, saves and submits;
// (b) the office head (the HQ administrator) finds it under 待审批 and approves it; the office
//     publishes it: it carries the tenant's number (平创通〔YYYY〕N号), and its PDF (pdftotext) carries
//     the number, the edited paragraph and the same figures as the KPI API, on A4 (pdfinfo);
// (c) the unit addressed reads it at 390 px, read-only (no save, no workflow buttons), and the
//     page never scrolls sideways; a citizen is sent away;
// (d) the office edits the template on /bulletins/template: a change saved in the form is read
//     back and applies to the next draft (its ranking columns, how many typical problems), a
//     wording key the tenant lacks is refused and the server's message (in the user's language)
//     shown at that field, and the JSON view saves too; the template is put back afterwards;
// (e) in a draft, the office adds a typical problem by its case number (closed, with both photos:
//     it qualifies) and is told why an open one does not, changes the units addressed, saves, and
//     the bulletin holds both; the server refuses an open case as well (bulletin.bad_typical), and
//     a save over someone else's is 409 and said so.
// Every page passes axe-core's WCAG 2.1 AA rules; screenshots bulletins-*.png (desktop and 390 px,
// zh and en) go to CIVICLOOP_SCREENSHOTS.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { launch, newPage as openPage, shot, login, api, inside, fixture } from './support/browser.mjs'
import { expectAccessible } from './support/axe.mjs'

let browser
let unitId
/** The problems made in before(): the first is closed with both photos, the others are open. */
const made = []
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())

async function upload(page, caseId, stage, bytes) {
  return page.evaluate(
    async ({ caseId, stage, b64 }) => {
      const me = await (await fetch('/api/v1/auth/me')).json()
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
      const res = await fetch(`/api/v1/cases/${caseId}/attachments?stage=${stage}`, {
        method: 'POST',
        headers: { 'Content-Type': 'image/jpeg', 'X-CSRF-Token': me.csrf_token },
        body: new Blob([bin], { type: 'image/jpeg' }),
      })
      if (!res.ok) throw new Error(`upload: ${res.status} ${await res.text()}`)
      return res.json()
    },
    { caseId, stage, b64: Buffer.from(bytes).toString('base64') },
  )
}

async function move(page, id, body) {
  const r = await api(page, 'POST', `/api/v1/cases/${id}/transitions`, body)
  assert.equal(r.status, 200, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`)
}

before(async () => {
  browser = await launch()
  const office = await openPage(browser)
  const grid = await openPage(browser)
  const unit = await openPage(browser)
  const supervisor = await openPage(browser)
  try {
    await login(office, 'office', '/cases', { arrive: false })
    await login(grid, 'grid', '/report', { arrive: false })
    await login(unit, 'unit', '/inbox', { arrive: false })
    await login(supervisor, 'supervisor', '/verify', { arrive: false })
    const grids = (await api(office, 'GET', '/api/v1/org/units?kind=grid&limit=200')).body.items
    const g = grids.find((x) => x.name.startsWith('永泰北社区') && x.boundary)
    const units = (await api(office, 'GET', '/api/v1/org/units?kind=subdistrict&limit=200')).body.items
    unitId = units.find((u) => u.name.startsWith('永泰')).id
    const photo = fixture('district_gps.jpg')
    for (let i = 0; i < 3; i++) {
      const r = await api(grid, 'POST', '/api/v1/cases', { category: '0102', description: `通报测试问题 ${i + 1}`, address: '永泰路12号', ...inside(g.boundary) })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      const id = r.body.case.id
      made.push({ id, case_no: r.body.case.case_no })
      if (i === 0) await upload(grid, id, 'before', photo)
      await move(office, id, { action: 'file' })
      await move(office, id, { action: 'dispatch', unit_id: unitId, note: '属地' })
      if (i === 0) {
        await move(unit, id, { action: 'acknowledge' })
        await upload(unit, id, 'after', photo)
        await move(unit, id, { action: 'rectify' })
        await move(supervisor, id, { action: 'verify', passed: true })
        await move(office, id, { action: 'close' })
      }
    }
  } finally {
    for (const p of [office, grid, unit, supervisor]) await p.context().close()
  }
})
after(async () => {
  await browser?.close()
})

const newPage = (opts) => openPage(browser, opts)

/** The KPI API's figures of this week over the units, as the bulletin sums them. */
async function weekFigures(page) {
  const r = await api(page, 'GET', `/api/v1/kpis?level=unit&period=week&date=${today}`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const t = { dispatched: 0, due: 0, closed: 0, overdue: 0, rates: {} }
  for (const row of r.body.items) {
    for (const k of ['dispatched', 'due', 'closed', 'overdue']) t[k] += row[k]
    for (const [name, rate] of Object.entries(row.rates)) {
      const x = (t.rates[name] ??= { num: 0, den: 0 })
      x.num += rate.num
      x.den += rate.den
    }
  }
  const pct = (x) => (x && x.den > 0 ? `${((x.num / x.den) * 100).toFixed(1)}%` : '—')
  t.text = { closed_on_time_rate: pct(t.rates.closed_on_time), closure_rate: pct(t.rates.closure), ack_on_time_rate: pct(t.rates.ack_on_time), rework_rate: pct(t.rates.rework) }
  return t
}

async function pdfText(page, id) {
  const b64 = await page.evaluate(async (id) => {
    const res = await fetch(`/api/v1/bulletins/${id}.pdf`)
    if (!res.ok) throw new Error(`pdf: ${res.status}`)
    const buf = new Uint8Array(await res.arrayBuffer())
    let s = ''
    for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000))
    return btoa(s)
  }, id)
  const file = path.join(os.tmpdir(), `bulletin-${id}-${process.pid}.pdf`)
  fs.writeFileSync(file, Buffer.from(b64, 'base64'))
  try {
    const text = execFileSync('pdftotext', ['-raw', file, '-']).toString().replace(/\s+/g, '')
    const info = execFileSync('pdfinfo', [file]).toString()
    return { text, info }
  } finally {
    fs.rmSync(file, { force: true })
  }
}

async function noSidewaysScroll(page) {
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth])
  assert.ok(w[0] <= w[1], `scrolls sideways: ${w[0]} > ${w[1]}`)
}

test('the office drafts and edits, the office head approves, it is published with the KPI figures', async () => {
  const office = await newPage()
  const admin = await newPage()
  try {
    await login(office, 'office', '/bulletins')
    await office.locator('[data-testid=bulletin-new]').waitFor()
    await office.locator('[data-testid=bulletin-list]').waitFor()
    await expectAccessible(assert, office, 'bulletins list (office)')
    await shot(office, 'bulletins-list-zh.png')

    // (a) Draft this week's bulletin.
    await office.locator('[data-testid=bulletin-new] .el-date-editor input').fill(today)
    await office.keyboard.press('Enter')
    const want = await weekFigures(office)
    assert.ok(want.dispatched >= 3, JSON.stringify(want))
    await office.locator('[data-testid=bulletin-draft]').click()
    await office.waitForURL((u) => /^\/bulletins\/\d+$/.test(u.pathname))
    const id = Number(new URL(office.url()).pathname.split('/').pop())
    await office.locator('[data-testid=bulletin-figures]').waitFor()
    for (const k of ['dispatched', 'due', 'closed', 'overdue']) {
      assert.equal(await office.locator(`[data-testid=figure-${k}]`).textContent(), String(want[k]), k)
    }
    assert.equal(await office.locator('[data-testid=figure-closed_on_time_rate]').textContent(), want.text.closed_on_time_rate)
    assert.equal(await office.locator('[data-testid=bulletin-state]').getAttribute('data-state'), 'draft')
    await expectAccessible(assert, office, 'bulletin editor (draft)')
    await shot(office, 'bulletins-editor-zh.png')

    // Edit the first paragraph, save, submit.
    const para = office.locator('textarea[data-testid=section-text-0], [data-testid=section-text-0] textarea').first()
    const old = await para.inputValue()
    await para.fill(`本周总体平稳，请各单位再接再厉。${old}`)
    await office.locator('[data-testid=bulletin-save]').click()
    await office.locator('.el-message--success').first().waitFor()
    const saved = (await api(office, 'GET', `/api/v1/bulletins/${id}`)).body
    assert.equal(saved.version, 2)
    assert.ok(saved.sections[0].text.startsWith('本周总体平稳'), saved.sections[0].text)
    await office.locator('[data-testid=bulletin-submit]').click()
    await office.waitForFunction(() => document.querySelector('[data-testid=bulletin-state]')?.getAttribute('data-state') === 'submitted')
    assert.equal(await office.locator('[data-testid=bulletin-approve]').count(), 0, 'the office does not approve')

    // (b) The office head approves from the queue.
    await login(admin, 'admin', '/bulletins?tab=submitted', { arrive: false })
    await admin.waitForURL((u) => u.pathname === '/bulletins')
    const row = admin.locator(`[data-testid=bulletin-row][data-id="${id}"]`)
    await row.waitFor()
    await expectAccessible(assert, admin, 'bulletins approval queue')
    await row.locator('[data-testid=bulletin-open]').click()
    await admin.locator('[data-testid=bulletin-approve]').waitFor()
    await expectAccessible(assert, admin, 'bulletin approval')
    await shot(admin, 'bulletins-approval-zh.png')
    await admin.locator('[data-testid=bulletin-approve]').click()
    await admin.waitForFunction(() => document.querySelector('[data-testid=bulletin-state]')?.getAttribute('data-state') === 'approved')

    // The office publishes.
    await office.reload()
    await office.locator('[data-testid=bulletin-publish]').click()
    await office.locator('.el-message-box__btns .el-button--primary').click()
    await office.waitForFunction(() => document.querySelector('[data-testid=bulletin-state]')?.getAttribute('data-state') === 'published')
    const number = (await office.locator('[data-testid=bulletin-number]').textContent()).trim()
    assert.match(number, /^平创通〔\d{4}〕[1-9]\d*号$/)
    assert.equal(await office.locator('[data-testid=bulletin-save]').count(), 0)
    await expectAccessible(assert, office, 'bulletin published')
    await shot(office, 'bulletins-published-zh.png')

    // The PDF: the number, the edit, the KPI API's figures of the week, A4.
    const { text, info } = await pdfText(office, id)
    assert.match(info, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/)
    assert.ok(text.includes(number), 'number in the PDF')
    assert.ok(text.includes('本周总体平稳，请各单位再接再厉。'), 'the edited paragraph')
    assert.ok(text.includes(`派遣问题${want.dispatched}件`), `dispatched ${want.dispatched}`)
    assert.ok(text.includes(`应结案${want.due}件`), `due ${want.due}`)
    assert.ok(text.includes(`已结案${want.closed}件`), `closed ${want.closed}`)
    assert.ok(text.includes(`超期${want.overdue}件`), `overdue ${want.overdue}`)
    assert.ok(text.includes(`按期结案率${want.text.closed_on_time_rate}`), `closed on time ${want.text.closed_on_time_rate}`)
    assert.ok(text.includes(`按时签收率${want.text.ack_on_time_rate}`), `ack on time ${want.text.ack_on_time_rate}`)
    assert.ok(text.includes('整改前') && text.includes('整改后'), 'the typical problem with its photos')
    assert.ok(!text.includes('草稿'), 'no draft mark once published')

    // In the archive tab.
    await office.goto(`${office.url().split('/bulletins')[0]}/bulletins?tab=published`)
    await office.locator(`[data-testid=bulletin-row][data-id="${id}"] [data-testid=bulletin-number]`).waitFor()
  } finally {
    await office.context().close()
    await admin.context().close()
  }
})

test('the unit addressed reads the published bulletin at 390 px, read-only; a citizen is sent away', async () => {
  for (const lang of ['zh-CN', 'en']) {
    const unit = await newPage({ mobile: true, lang })
    try {
      await login(unit, 'unit', '/bulletins')
      const rows = unit.locator('[data-testid=bulletin-row]')
      await rows.first().waitFor()
      for (const s of await unit.locator('[data-testid=bulletin-row]').evaluateAll((els) => els.map((e) => e.dataset.state))) {
        assert.equal(s, 'published')
      }
      assert.equal(await unit.locator('[data-testid=bulletin-new]').count(), 0)
      await noSidewaysScroll(unit)
      await expectAccessible(assert, unit, `bulletins list (unit, ${lang})`)
      await shot(unit, `bulletins-unit-list-${lang === 'en' ? 'en' : 'zh'}-390.png`)
      await rows.first().locator('[data-testid=bulletin-open]').click()
      await unit.locator('[data-testid=bulletin-figures]').waitFor()
      assert.equal(await unit.locator('[data-testid=bulletin-save]').count(), 0)
      for (const a of ['submit', 'withdraw', 'reject', 'approve', 'publish']) {
        assert.equal(await unit.locator(`[data-testid=bulletin-${a}]`).count(), 0, a)
      }
      await noSidewaysScroll(unit)
      await expectAccessible(assert, unit, `bulletin (unit, ${lang})`)
      await shot(unit, `bulletins-unit-view-${lang === 'en' ? 'en' : 'zh'}-390.png`)
    } finally {
      await unit.context().close()
    }
  }
  const citizen = await newPage()
  try {
    await login(citizen, 'citizen', '/bulletins', { arrive: false })
    await citizen.waitForURL((u) => u.pathname === '/forbidden')
  } finally {
    await citizen.context().close()
  }
})

test('English pages at desktop width and the office editor at 390 px', async () => {
  const office = await newPage({ lang: 'en' })
  try {
    await login(office, 'office', '/bulletins')
    await office.locator('[data-testid=bulletin-row]').first().waitFor()
    await expectAccessible(assert, office, 'bulletins list (en)')
    await shot(office, 'bulletins-list-en.png')
    await office.locator('[data-testid=bulletin-row] [data-testid=bulletin-open]').first().click()
    await office.locator('[data-testid=bulletin-figures]').waitFor()
    await expectAccessible(assert, office, 'bulletin (en)')
    await shot(office, 'bulletins-editor-en.png')
  } finally {
    await office.context().close()
  }
  const phone = await newPage({ mobile: true })
  try {
    await login(phone, 'office', '/bulletins')
    await phone.locator('[data-testid=bulletin-row]').first().waitFor()
    await noSidewaysScroll(phone)
    await shot(phone, 'bulletins-list-zh-390.png')
    // A scheduled or fresh draft: the editor at phone width.
    const draftRow = phone.locator('[data-testid=bulletin-row][data-state=draft] [data-testid=bulletin-open]').first()
    if (await draftRow.count()) {
      await draftRow.click()
      await phone.locator('[data-testid=bulletin-figures]').waitFor()
      await noSidewaysScroll(phone)
      await expectAccessible(assert, phone, 'bulletin editor (390 px)')
      await shot(phone, 'bulletins-editor-zh-390.png')
    }
  } finally {
    await phone.context().close()
  }
})

/** An input inside an Element Plus wrapper carrying the test id (or the input itself). */
const inputOf = (page, id) => page.locator(`input[data-testid=${id}], [data-testid=${id}] input`).first()
/** The error Element Plus shows under the form item that holds this locator. */
const fieldError = (page, inner) => page.locator('.el-form-item', { has: inner }).last().locator('> .el-form-item__content > .el-form-item__error')

test('the office edits the template: a saved change applies to the next draft, a refused key is shown at its field', async () => {
  const office = await newPage()
  let original
  try {
    await login(office, 'office', '/bulletins')
    original = (await api(office, 'GET', '/api/v1/bulletin-template')).body
    assert.equal(original.format, 'civicloop-bulletins/1')
    await office.locator('[data-testid=bulletin-template-link]').click()
    await office.waitForURL((u) => u.pathname === '/bulletins/template')
    await office.locator('[data-testid=template-form]').waitFor()
    assert.equal(await inputOf(office, 'template-number-format').inputValue(), original.number_format)
    assert.equal(await inputOf(office, 'template-weekly-heading-0').inputValue(), original.kinds.weekly.sections[0].heading)
    assert.equal(await office.locator('[data-testid=template-save]').isDisabled(), true, 'nothing to save yet')
    await expectAccessible(assert, office, 'bulletin template')
    await shot(office, 'bulletins-template-zh.png')

    // The ranking without its 等次 column, two typical problems at most: saved, read back.
    assert.ok(original.ranking_columns.includes('grade'))
    await office.locator('[data-testid=template-columns] .el-tag', { hasText: '等次' }).locator('.el-tag__close').click()
    await inputOf(office, 'template-typical-max').fill('2')
    await inputOf(office, 'template-typical-max').press('Tab')
    await office.locator('[data-testid=template-save]').click()
    await office.locator('.el-message--success').first().waitFor()
    const back = (await api(office, 'GET', '/api/v1/bulletin-template')).body
    assert.deepEqual(back.ranking_columns, original.ranking_columns.filter((c) => c !== 'grade'))
    assert.equal(back.typical_max, 2)
    assert.equal(back.note, original.note, 'keys the form does not show are kept')
    await office.reload()
    await office.locator('[data-testid=template-form]').waitFor()
    assert.equal(await inputOf(office, 'template-typical-max').inputValue(), '2')
    assert.equal(await office.locator('[data-testid=template-columns] .el-tag', { hasText: '等次' }).count(), 0)
    // The next draft follows it.
    const d = await api(office, 'POST', '/api/v1/bulletins', { kind: 'weekly', date: today })
    assert.equal(d.status, 201, JSON.stringify(d.body))
    const draft = (await api(office, 'GET', `/api/v1/bulletins/${d.body.id}`)).body
    assert.ok(!draft.snapshot.ranking.columns.includes('grade'), JSON.stringify(draft.snapshot.ranking.columns))
    assert.deepEqual(draft.snapshot.ranking.columns, back.ranking_columns)
    assert.ok(draft.snapshot.typical.length <= 2, `${draft.snapshot.typical.length} typical problems`)

    // A heading key the tenant's wording lacks: refused, the message at that field, nothing saved.
    const heading = inputOf(office, 'template-weekly-heading-0')
    await heading.fill('bulletin.heading.no_such_key')
    await office.locator('[data-testid=template-save]').click()
    const alert = office.locator('[data-testid=template-error]')
    await alert.waitFor()
    const message = (await alert.locator('.el-alert__title').textContent()).trim()
    assert.match(message, /bulletin\.heading\.no_such_key/)
    assert.match(message, /[\u4e00-\u9fff]/, `in Chinese: ${message}`)
    const at = fieldError(office, heading)
    await at.waitFor()
    assert.equal((await at.textContent()).trim(), message)
    assert.equal(await fieldError(office, inputOf(office, 'template-weekly-text-0')).count(), 0, 'only the field named')
    await expectAccessible(assert, office, 'bulletin template with an error')
    await shot(office, 'bulletins-template-error-zh.png')
    const still = (await api(office, 'GET', '/api/v1/bulletin-template')).body
    assert.equal(still.kinds.weekly.sections[0].heading, original.kinds.weekly.sections[0].heading)

    // The JSON view: the form's edits carried across; a change there is saved too.
    await heading.fill(original.kinds.weekly.sections[0].heading)
    await office.locator('[data-testid=template-mode] label', { hasText: 'JSON' }).click()
    const raw = office.locator('textarea[data-testid=template-json], [data-testid=template-json] textarea').first()
    const doc = JSON.parse(await raw.inputValue())
    assert.equal(doc.typical_max, 2)
    doc.overdue_max = 7
    await raw.fill(JSON.stringify(doc, null, 2))
    await office.locator('[data-testid=template-save]').click()
    await office.locator('.el-message--success').first().waitFor()
    assert.equal((await api(office, 'GET', '/api/v1/bulletin-template')).body.overdue_max, 7)
  } finally {
    if (original) {
      const r = await api(office, 'PUT', '/api/v1/bulletin-template', original)
      assert.equal(r.status, 200, JSON.stringify(r.body))
    }
    await office.context().close()
  }
})

test('typical problems by case number and the units addressed are saved with the draft', async () => {
  const office = await newPage()
  try {
    await login(office, 'office', '/bulletins')
    const [closed, open] = made
    const d = await api(office, 'POST', '/api/v1/bulletins', { kind: 'weekly', date: today })
    assert.equal(d.status, 201, JSON.stringify(d.body))
    const id = d.body.id
    const first = (await api(office, 'GET', `/api/v1/bulletins/${id}`)).body
    assert.ok(first.recipients.length >= 1, JSON.stringify(first.recipients))
    await office.goto(`${office.url().split('/bulletins')[0]}/bulletins/${id}`)
    await office.locator('[data-testid=typical-picker]').waitFor()

    // The closed case may have been picked by the draft already: drop it, then add it by number.
    if (await office.locator(`[data-testid=typical-item][data-case-id="${closed.id}"]`).count()) {
      await office.locator(`[data-testid=typical-drop-${closed.id}]`).click()
    }
    assert.equal(await office.locator(`[data-testid=typical-item][data-case-id="${closed.id}"]`).count(), 0)
    await inputOf(office, 'typical-input').fill(closed.case_no)
    await office.locator('[data-testid=typical-lookup]').click()
    const cand = office.locator('[data-testid=typical-candidate]')
    await cand.waitFor()
    assert.equal(await cand.getAttribute('data-ok'), 'true')
    assert.ok((await cand.textContent()).includes(closed.case_no))
    assert.match(await office.locator('[data-testid=typical-verdict]').textContent(), /符合条件/)
    await shot(office, 'bulletins-typical-zh.png')
    await office.locator('[data-testid=typical-add]').click()
    await office.locator(`[data-testid=typical-item][data-case-id="${closed.id}"]`).waitFor()

    // An open case does not qualify: the reason, and no way to add it.
    await inputOf(office, 'typical-input').fill(open.case_no)
    await office.locator('[data-testid=typical-lookup]').click()
    await office.waitForFunction((no) => document.querySelector('[data-testid=typical-candidate]')?.textContent.includes(no), open.case_no)
    assert.equal(await cand.getAttribute('data-ok'), 'false')
    const verdict = await office.locator('[data-testid=typical-verdict]').textContent()
    assert.match(verdict, /不能作为典型问题/)
    assert.match(verdict, /尚未结案/)
    assert.match(verdict, /整改后照片/)
    assert.equal(await office.locator('[data-testid=typical-add]').isDisabled(), true)
    await expectAccessible(assert, office, 'bulletin editor: a typical problem refused')
    await shot(office, 'bulletins-typical-refused-zh.png')

    // The units addressed: the first taken off, two departments put on.
    const depts = (await api(office, 'GET', '/api/v1/org/units?kind=department&limit=200')).body.items.filter((u) => !first.recipients.includes(u.id)).slice(0, 2)
    assert.equal(depts.length, 2, 'two departments not yet addressed')
    const removed = first.recipients[0]
    await office.locator('[data-testid=recipients-select] .el-tag').first().locator('.el-tag__close').click()
    for (const dept of depts) {
      await office.locator('[data-testid=recipients-select] .el-select__wrapper').click()
      await office.locator('[data-testid=recipients-select] input').fill(dept.name)
      await office.locator('.el-select-dropdown__item:visible', { hasText: dept.name }).first().click()
      await office.keyboard.press('Escape')
    }
    await office.locator('[data-testid=bulletin-save]').click()
    await office.locator('.el-message--success').first().waitFor()
    const saved = (await api(office, 'GET', `/api/v1/bulletins/${id}`)).body
    const want = [...first.recipients.filter((u) => u !== removed), ...depts.map((u) => u.id)].sort((a, b) => a - b)
    assert.deepEqual(saved.recipients, want)
    assert.ok(saved.snapshot.typical.some((c) => c.case_id === closed.id), 'the typical problem added')
    assert.ok(!saved.snapshot.typical.some((c) => c.case_id === open.id))
    assert.equal(saved.snapshot.figures.typical_count, String(saved.snapshot.typical.length))
    await office.reload()
    await office.locator(`[data-testid=typical-item][data-case-id="${closed.id}"]`).waitFor()
    for (const dept of depts) await office.locator('[data-testid=recipients-select] .el-tag', { hasText: dept.name }).waitFor()

    // The server refuses an open case too.
    const bad = await api(office, 'PUT', `/api/v1/bulletins/${id}`, { version: saved.version, typical_case_ids: [closed.id, open.id] })
    assert.equal(bad.body.error.code, 'bulletin.bad_typical', JSON.stringify(bad.body))
    assert.equal(bad.body.error.details.field, 'typical_case_ids[1]')

    // Someone else saves in between: 409, said so, nothing overwritten.
    const other = await api(office, 'PUT', `/api/v1/bulletins/${id}`, { version: saved.version, title: `${saved.title}（他人修改）` })
    assert.equal(other.status, 200, JSON.stringify(other.body))
    await office.locator(`[data-testid=typical-drop-${closed.id}]`).click()
    await office.locator('[data-testid=bulletin-save]').click()
    await office.locator('[data-testid=bulletin-conflict]').waitFor()
    const after = (await api(office, 'GET', `/api/v1/bulletins/${id}`)).body
    assert.ok(after.snapshot.typical.some((c) => c.case_id === closed.id), 'not overwritten')
    assert.ok(after.title.endsWith('（他人修改）'))
  } finally {
    await office.context().close()
  }
})

test('the template page and the typical-problem picker in English and at 390 px', async () => {
  const [closed] = made
  for (const [lang, mobile] of [['en', false], ['zh-CN', true], ['en', true]]) {
    const page = await newPage({ lang, mobile })
    const tag = `${lang === 'en' ? 'en' : 'zh'}${mobile ? '-390' : ''}`
    try {
      await login(page, 'office', '/bulletins/template')
      await page.locator('[data-testid=template-form]').waitFor()
      if (mobile) await noSidewaysScroll(page)
      await expectAccessible(assert, page, `bulletin template (${tag})`)
      await shot(page, `bulletins-template-${tag}.png`)
      // An error in English, at its field.
      if (lang === 'en' && !mobile) {
        await inputOf(page, 'template-number-format').fill('No year {seq}')
        await page.locator('[data-testid=template-save]').click()
        const at = fieldError(page, inputOf(page, 'template-number-format'))
        await at.waitFor()
        assert.match(await at.textContent(), /malformed number_format/)
        await shot(page, 'bulletins-template-error-en.png')
      }
      const d = await api(page, 'POST', '/api/v1/bulletins', { kind: 'weekly', date: today })
      assert.equal(d.status, 201, JSON.stringify(d.body))
      await page.goto(`${page.url().split('/bulletins')[0]}/bulletins/${d.body.id}`)
      await page.locator('[data-testid=typical-picker]').waitFor()
      await inputOf(page, 'typical-input').fill(closed.case_no)
      await page.locator('[data-testid=typical-lookup]').click()
      await page.locator('[data-testid=typical-candidate]').waitFor()
      if (lang === 'en') assert.match(await page.locator('[data-testid=typical-verdict]').textContent(), /Qualifies|already among the typical problems/)
      if (mobile) await noSidewaysScroll(page)
      await expectAccessible(assert, page, `bulletin editor picker (${tag})`)
      await shot(page, `bulletins-typical-${tag}.png`)
    } finally {
      await page.context().close()
    }
  }
})
