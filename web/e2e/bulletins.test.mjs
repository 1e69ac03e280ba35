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
//     page never scrolls sideways; a citizen is sent away.
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
