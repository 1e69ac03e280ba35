// Browser tests of the closed loop (问题闭环), against a running civicloop with the demo preset:
//
//   civicloop init --preset pingcheng --demo --db sqlite:/tmp/loop.db
//   CIVICLOOP_PWHASH=min civicloop serve --db sqlite:/tmp/loop.db --listen 127.0.0.1:18092 --web-root web/dist
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/loop.test.mjs
//
// (a) the whole loop in the browser: a grid worker reports on the phone page, the HQ office files
//     and dispatches, the unit acknowledges and rectifies with an after-photo, a supervisor verifies,
//     the office closes it out, and it appears in the close-out ledger;
// (b) a second case fails verification and comes back to the unit as rework (and as a notification);
// (c) the lists and the office's editors open and show their data.
// Screenshots (loop-*.png) go to CIVICLOOP_SCREENSHOTS (default ../build/screenshots).
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
const GRID_CODE = '140213050001-G1' // 永泰北社区第1网格, the demo grid worker's grid
const UNIT_NAME = '永泰街道'

let browser
let photoBefore // JPEG bytes of a real image (a screenshot), made once
let photoAfter

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
  // Two different real photos: screenshots of two small pages, saved as JPEG.
  const ctx = await browser.newContext({ viewport: { width: 480, height: 360 } })
  const p = await ctx.newPage()
  const scene = (bg, text) =>
    `<body style="margin:0;background:${bg};display:flex;align-items:center;justify-content:center;height:100vh;font:40px sans-serif;color:#fff">${text}</body>`
  await p.setContent(scene('linear-gradient(135deg,#6b4f2a,#a0522d)', 'before'))
  photoBefore = await p.screenshot({ type: 'jpeg', quality: 80 })
  await p.setContent(scene('linear-gradient(135deg,#2e7d32,#81c784)', 'after'))
  photoAfter = await p.screenshot({ type: 'jpeg', quality: 80 })
  await ctx.close()
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

async function shot(page, name, { fullPage = true } = {}) {
  // From the top, so that sticky headers are drawn where they belong in a full-page picture.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0))
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))))
  await page.screenshot({ path: path.join(SHOTS, name), fullPage })
}

/** Signs in through the login form and lands on `to`. */
async function login(page, username, to = null) {
  await page.goto(`${BASE}/login${to ? `?redirect=${encodeURIComponent(to)}` : ''}`)
  await page.locator('[data-testid=login-username]').fill(username)
  await page.locator('[data-testid=login-password]').fill(PASSWORD)
  await page.locator('[data-testid=login-submit]').click()
  if (to) await page.waitForURL((u) => u.pathname.replace(/\/$/, '') === to.replace(/\/$/, ''))
  else await page.locator('[data-testid=side-menu]').waitFor()
}

/** A JSON API call from inside the signed-in page (same cookies, CSRF token from /auth/me). */
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
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`)
      return text ? JSON.parse(text) : null
    },
    { method, url, body },
  )
}

/** Uploads photo bytes from inside the signed-in page. */
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

/**
 * A point well inside the grid worker's grid, from its boundary. The demo areas are pieces of the
 * district outline, not always convex: on the parallel through the middle of the bounding box,
 * the middle of the widest stretch inside.
 */
async function gridCentre(page) {
  const units = await api(page, 'GET', '/api/v1/org/units?kind=grid&limit=200')
  const grid = units.items.find((u) => u.code === GRID_CODE)
  assert.ok(grid?.boundary, 'the grid has a boundary')
  const ring = grid.boundary.coordinates[0]
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
  return { lat: Number(lat.toFixed(6)), lng: Number(lng.toFixed(6)), grid }
}

/** Fills and confirms the open action dialog (note optional). */
async function confirmDialog(page, { note } = {}) {
  const dialog = page.locator('[data-testid=action-dialog]:visible')
  await dialog.waitFor()
  if (note) await dialog.locator('[data-testid=action-note]').fill(note)
  const answer = page.waitForResponse((r) => /\/api\/v1\/cases\/\d+\/transitions$/.test(r.url()))
  await dialog.locator('[data-testid=action-submit]').click()
  const res = await answer
  assert.equal(res.status(), 200, `transition answered ${res.status()}: ${await res.text()}`)
  await dialog.waitFor({ state: 'hidden' })
  return res.json()
}

const rowOf = (page, table, caseNo) => page.locator(`[data-testid=${table}] .el-table__body-wrapper tr`, { hasText: caseNo })

// ------------------------------------------------------------------------------------------------

let pdfHref = null // the notice of the case of (a), checked in (e)

test('(a) the closed loop in the browser: report on the phone, file, dispatch, rectify, verify, close', async () => {
  // 1. The grid worker reports on the phone page, with the manual location fallback.
  const phone = await newPage({ mobile: true })
  let caseNo
  let caseId
  try {
    await login(phone, 'grid', '/m/')
    await phone.locator('[data-testid=mobile-page]').waitFor()
    assert.equal(await phone.locator('[data-testid=side-menu]').count(), 0, 'no side menu on the phone page')
    const centre = await gridCentre(phone)

    await phone.locator('[data-testid=m-photo-input]').setInputFiles({ name: 'before.jpg', mimeType: 'image/jpeg', buffer: photoBefore })
    await phone.locator('[data-testid=m-photo-preview] img').waitFor()
    if (!(await phone.locator('[data-testid=m-lat]').isVisible())) await phone.locator('[data-testid=m-loc-manual]').click()
    await phone.locator('[data-testid=m-lat]').fill(String(centre.lat))
    await phone.locator('[data-testid=m-lng]').fill(String(centre.lng))
    await phone.locator('[data-testid=m-address]').fill('永泰北社区东门外')
    await phone.locator('[data-testid=m-category]').click()
    await phone.locator('[data-testid=m-category-search]').fill('暴露垃圾')
    await phone.locator('[data-testid=m-category-option][data-code="0102"]').click()
    await phone.locator('[data-testid=m-category-picker]').waitFor({ state: 'hidden' })
    assert.match(await phone.locator('[data-testid=m-category]').innerText(), /暴露垃圾/)
    await phone.locator('[data-testid=m-description]').fill('路边堆放生活垃圾三袋，无人清运')
    await shot(phone, 'loop-01-mobile.png')

    const created = phone.waitForResponse((r) => r.url().endsWith('/api/v1/cases') && r.request().method() === 'POST')
    const uploaded = phone.waitForResponse((r) => /\/attachments\?stage=before$/.test(r.url()))
    await phone.locator('[data-testid=m-send]').click()
    const body = await (await created).json()
    assert.equal((await uploaded).status(), 201, 'the photo is uploaded after the case is created')
    caseNo = body.case.case_no
    caseId = body.case.id
    await phone.locator('[data-testid=m-sent]').waitFor()
    assert.equal(await phone.locator('[data-testid=m-case-no]').innerText(), caseNo)
    assert.match(await phone.locator('[data-testid=m-sent]').innerText(), /已上报/)
    assert.equal(body.case.grid?.id, centre.grid.id, 'the point lies in the grid')
    await shot(phone, 'loop-02-mobile-sent.png')

    await phone.locator('[data-testid=m-tab-mine]').click()
    await phone.locator(`[data-testid=m-case-item][data-case-no="${caseNo}"]`).waitFor()
    await shot(phone, 'loop-03-mobile-mine.png')
  } finally {
    await phone.context().close()
  }

  // 2. The HQ office files it and dispatches it to 永泰街道.
  const office = await newPage()
  try {
    await login(office, 'office')
    await office.locator('[data-testid=menu-triage]').click()
    await office.waitForURL(/\/triage$/)
    const row = rowOf(office, 'triage-table', caseNo)
    await row.waitFor()
    await shot(office, 'loop-04-triage.png')
    await row.locator('[data-testid=triage-file]').click()
    await confirmDialog(office)
    await row.waitFor({ state: 'detached' })

    await office.locator('#tab-filed').click()
    const filed = rowOf(office, 'triage-table', caseNo)
    await filed.waitFor()
    await filed.locator('[data-testid=triage-dispatch]').click()
    const dialog = office.locator('[data-testid=action-dialog]:visible')
    await dialog.waitFor()
    const routed = (await dialog.locator('[data-testid=action-routed-unit]').count())
      ? await dialog.locator('[data-testid=action-routed-unit]').innerText()
      : ''
    let note
    if (routed.trim() !== UNIT_NAME) {
      // The rules chose another unit (or none): override, with the reason the ledger keeps.
      const override = dialog.locator('[data-testid=action-override] input')
      if (!(await override.isChecked())) await dialog.locator('[data-testid=action-override]').click()
      await dialog.locator('[data-testid=action-unit] input').fill(UNIT_NAME)
      await office.locator(`.el-select-dropdown__item:visible span:text-is("${UNIT_NAME}")`).first().click()
      note = '属地街道负责，改派永泰街道'
    }
    await dialog.locator('[data-testid=action-requirement]').fill('4小时内清运干净，上传清运后照片')
    await shot(office, 'loop-05-dispatch.png', { fullPage: false })
    const view = await confirmDialog(office, { note })
    assert.equal(view.case.state, 'dispatched')
    assert.equal(view.case.assigned_unit.name, UNIT_NAME)
    assert.ok(view.notice, 'dispatch issues a notice')
  } finally {
    await office.context().close()
  }

  // 3. The unit acknowledges, uploads an after-photo and reports the rectification.
  const unit = await newPage()
  try {
    await login(unit, 'unit')
    await unit.locator('[data-testid=menu-inbox]').click()
    await unit.waitForURL(/\/inbox$/)
    const row = rowOf(unit, 'inbox-table', caseNo)
    await row.waitFor()
    assert.equal(await row.locator('[data-testid=case-timer]').count(), 1, 'the deadline counts down')
    await shot(unit, 'loop-06-inbox.png')
    await row.locator('[data-testid=inbox-acknowledge]').click()
    await confirmDialog(unit)

    await unit.locator('#tab-acknowledged').click()
    const doing = rowOf(unit, 'inbox-table', caseNo)
    await doing.waitFor()
    await doing.locator('[data-testid=inbox-rectify]').click()
    const dialog = unit.locator('[data-testid=action-dialog]:visible')
    await dialog.waitFor()
    // The dialog is built from what the case says rectify needs: an after-photo first.
    await unit.locator('[data-testid=action-dialog][data-photo-stage=after]:visible').waitFor()
    // Without a photo the dialog refuses.
    await dialog.locator('[data-testid=action-submit]').click()
    await dialog.locator('.el-form-item__error').first().waitFor()
    const up = unit.waitForResponse((r) => /\/attachments\?stage=after$/.test(r.url()))
    await dialog.locator('[data-testid=action-photo-input]').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: photoAfter })
    assert.equal((await up).status(), 201)
    await dialog.locator('[data-testid=photo] img').first().waitFor()
    await shot(unit, 'loop-07-rectify.png', { fullPage: false })
    const view = await confirmDialog(unit, { note: '已清运完毕' })
    assert.equal(view.case.state, 'rectified')
  } finally {
    await unit.context().close()
  }

  // 4. The supervisor compares the photos and passes it.
  const sup = await newPage()
  try {
    await login(sup, 'supervisor')
    await sup.locator('[data-testid=menu-verify]').click()
    const card = sup.locator(`[data-testid=verify-card][data-case-no="${caseNo}"]`)
    await card.waitFor()
    await card.locator('[data-testid=photo][data-stage=before] img').waitFor()
    await card.locator('[data-testid=photo][data-stage=after] img').waitFor()
    // The after-photo is a screenshot: no GPS and no time in it, and the card says so.
    assert.ok((await card.locator('[data-testid=photo-flag]').count()) >= 1, 'the after-photo carries warning flags')
    await card.scrollIntoViewIfNeeded()
    await shot(sup, 'loop-08-verify.png')
    await card.locator('[data-testid=verify-pass]').click()
    const view = await confirmDialog(sup)
    assert.equal(view.case.state, 'verified')
  } finally {
    await sup.context().close()
  }

  // 5. The office strikes it off from the case page, then finds it in the close-out ledger.
  const office2 = await newPage()
  try {
    await login(office2, 'office')
    await office2.goto(`${BASE}/cases/${caseId}`)
    await office2.locator('[data-testid=case-no]', { hasText: caseNo }).waitFor()
    await office2.locator('[data-testid=case-action-close]').click()
    const view = await confirmDialog(office2, { note: '核查属实，予以销号' })
    assert.equal(view.case.state, 'closed')
    await office2.locator('[data-testid=case-state][data-state=closed]').first().waitFor()
    const actions = await office2.locator('[data-testid=case-event]').evaluateAll((els) => els.map((e) => e.dataset.action))
    for (const a of ['report', 'file', 'dispatch', 'acknowledge', 'rectify', 'verify', 'close']) {
      assert.ok(actions.includes(a), `the history shows ${a}`)
    }
    assert.match(await office2.locator('[data-testid=case-timeline]').innerText(), /立案[\s\S]*派遣|派遣[\s\S]*立案/)
    await office2.locator('[data-testid=map] path').first().waitFor()
    pdfHref = await office2.locator('[data-testid=case-notice-pdf]').getAttribute('href')
    await shot(office2, 'loop-09-case-closed.png')

    await office2.locator('[data-testid=menu-ledger]').click()
    await office2.locator('#tab-closed').click()
    const row = rowOf(office2, 'ledger-closed-table', caseNo)
    await row.waitFor()
    assert.match(await row.locator('[data-testid=ledger-closed-at]').innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    await shot(office2, 'loop-10-ledger-closed.png')
  } finally {
    await office2.context().close()
  }
})

test('(b) a failed verification sends the case back to the unit as rework', async () => {
  // Set up through the API: reported by the grid worker, filed and dispatched by the office,
  // acknowledged and rectified by the unit.
  const grid = await newPage()
  const office = await newPage()
  const unit = await newPage()
  const sup = await newPage()
  try {
    await login(grid, 'grid')
    const centre = await gridCentre(grid)
    const created = await api(grid, 'POST', '/api/v1/cases', {
      category: '0102',
      title: '垃圾桶旁散落垃圾',
      address: '永泰北社区2号楼',
      lat: centre.lat + 0.001,
      lng: centre.lng + 0.001,
    })
    const id = created.case.id
    const caseNo = created.case.case_no
    await upload(grid, id, 'before', photoBefore)

    await login(office, 'office')
    await api(office, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'file' })
    let v = await api(office, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'dispatch' })
    if (v.case.assigned_unit?.name !== UNIT_NAME) throw new Error(`routed to ${v.case.assigned_unit?.name}`)

    await login(unit, 'unit')
    await api(unit, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'acknowledge' })
    await upload(unit, id, 'after', photoAfter)
    v = await api(unit, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'rectify' })
    assert.equal(v.case.state, 'rectified')

    // The supervisor fails it in the browser; a reason is required.
    await login(sup, 'supervisor')
    await sup.locator('[data-testid=menu-verify]').click()
    const card = sup.locator(`[data-testid=verify-card][data-case-no="${caseNo}"]`)
    await card.waitFor()
    await card.locator('[data-testid=verify-fail]').click()
    const dialog = sup.locator('[data-testid=action-dialog]:visible')
    await dialog.waitFor()
    await dialog.locator('[data-testid=action-submit]').click()
    await dialog.locator('.el-form-item__error', { hasText: '请填写理由' }).waitFor()
    await dialog.locator('[data-testid=action-note]').fill('整改后照片未见垃圾桶周边，地面仍有散落垃圾')
    await shot(sup, 'loop-11-verify-fail.png', { fullPage: false })
    const view = await confirmDialog(sup)
    assert.equal(view.case.state, 'acknowledged')
    assert.equal(view.case.rework_count, 1)
    await card.waitFor({ state: 'detached' })

    // The unit sees it under 返工, and has a notification.
    await unit.goto(`${BASE}/inbox`)
    await unit.locator('#tab-rework').click()
    const row = rowOf(unit, 'inbox-table', caseNo)
    await row.waitFor()
    assert.match(await row.locator('[data-testid=inbox-rework-tag]').innerText(), /返工1次/)
    await shot(unit, 'loop-12-inbox-rework.png')

    await unit.reload()
    await unit.locator('[data-testid=notif-count] .el-badge__content:not([style*="display: none"])').waitFor()
    await unit.locator('[data-testid=notif-bell]').click()
    const item = unit.locator('[data-testid=notif-item]', { hasText: '返工' }).first()
    await item.waitFor()
    await shot(unit, 'loop-13-notifications.png', { fullPage: false })
    await item.click()
    await unit.waitForURL(new RegExp(`/cases/${id}$`))
    await unit.locator('[data-testid=case-action-rectify]').waitFor()
  } finally {
    for (const p of [grid, office, unit, sup]) await p.context().close()
  }
})

test('(c) the lists, the report page and the office editors show their data', async () => {
  const page = await newPage()
  try {
    await login(page, 'office')

    // The desktop report page: a point picked on the map, the routing preview.
    await page.locator('[data-testid=menu-report]').click()
    await page.locator('[data-testid=map] path').first().waitFor()
    const cascader = page.locator('[data-testid=report-category] input')
    await cascader.fill('暴露垃圾')
    await page.locator('.el-cascader__suggestion-item', { hasText: '暴露垃圾' }).first().click()
    const map = page.locator('[data-testid=map]')
    const box = await map.boundingBox()
    const preview = page.waitForResponse((r) => r.url().includes('/api/v1/cases/route-preview'))
    await map.click({ position: { x: box.width / 2, y: box.height / 2 } })
    assert.equal((await preview).status(), 200)
    assert.notEqual(await page.locator('[data-testid=report-lat]').inputValue(), '')
    await page.locator('[data-testid=route-preview] .el-descriptions').waitFor()
    await shot(page, 'loop-20-report.png')

    await page.locator('[data-testid=menu-cases]').click()
    await page.locator('[data-testid=cases-table] .el-table__body-wrapper tr').first().waitFor()
    assert.match(await page.locator('[data-testid=cases-xlsx]').getAttribute('href'), /^\/api\/v1\/cases\.xlsx/)
    await shot(page, 'loop-21-cases.png')

    await page.locator('[data-testid=menu-notices]').click()
    await page.locator('[data-testid=notices-table] .el-table__body-wrapper tr').first().waitFor()
    await shot(page, 'loop-22-notices.png')

    await page.locator('[data-testid=menu-responsibility]').click()
    await page.locator('[data-testid=resp-table] .el-table__body-wrapper tr').first().waitFor()
    await shot(page, 'loop-23-responsibility.png')

    await page.goto(`${BASE}/settings/categories`)
    await page.locator('[data-testid=categories-table] .el-table__body-wrapper tr').first().waitFor()
    await page.locator('[data-testid=categories-table] .el-table__expand-icon').first().click()
    await page.locator('[data-testid=category-edit]').nth(1).waitFor()
    await shot(page, 'loop-24-categories.png', { fullPage: false })
    // Saving a category unchanged goes through the contract's PUT (with its version).
    await page.locator('[data-testid=categories-table] tr', { hasText: '0102' }).locator('[data-testid=category-edit]').click()
    await page.locator('[data-testid=category-form]').waitFor()
    const put = page.waitForResponse((r) => r.url().endsWith('/api/v1/categories/0102') && r.request().method() === 'PUT')
    await page.locator('[data-testid=category-save]').click()
    assert.equal((await put).status(), 200, 'category saved')

    await page.goto(`${BASE}/settings/routing`)
    await page.locator('[data-testid=rules-table] .el-table__body-wrapper tr').first().waitFor()
    await shot(page, 'loop-25-routing.png')
    // Switch one rule off and on again, and save the list as it was.
    const sw = page.locator('[data-testid=rules-table] .el-table__body-wrapper tr').first().locator('.el-switch')
    await sw.click()
    await sw.click()
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/routing-rules') && r.request().method() === 'PUT')
    await page.locator('[data-testid=rules-save]').click()
    assert.equal((await saved).status(), 200, 'routing rules saved')
    // The preview: a category and a click on the map.
    await page.locator('[data-testid=rules-preview] .cat-cascader input').fill('暴露垃圾')
    await page.locator('.el-cascader__suggestion-item', { hasText: '暴露垃圾' }).first().click()
    const pmap = page.locator('[data-testid=rules-preview] [data-testid=map]')
    const pbox = await pmap.boundingBox()
    const pv = page.waitForResponse((r) => r.url().includes('/api/v1/cases/route-preview'))
    await pmap.click({ position: { x: pbox.width / 2, y: pbox.height / 2 } })
    assert.equal((await pv).status(), 200)
    await page.locator('[data-testid=rules-preview] .el-descriptions').waitFor()

    await page.goto(`${BASE}/settings/calendar`)
    await page.locator('[data-testid=calendar-periods] .el-tag').first().waitFor()
    await shot(page, 'loop-26-calendar.png')

    await page.goto(`${BASE}/settings/webhooks`)
    await page.locator('[data-testid=webhooks-table]').waitFor()
    await page.locator('[data-testid=webhook-add]').click()
    const hookName = `创城指挥部工作群-${Date.now() % 100000}`
    await page.locator('[data-testid=webhook-name]').fill(hookName)
    await page.locator('[data-testid=webhook-url]').fill('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo')
    await page.locator('[data-testid=webhook-save]').click()
    const hook = page.locator('[data-testid=webhooks-table] tr', { hasText: hookName })
    await hook.waitFor()
    await shot(page, 'loop-27-webhooks.png')
    // And delete it again.
    await hook.locator('[data-testid=webhook-delete]').click()
    const del = page.waitForResponse((r) => /\/api\/v1\/webhooks\/\d+$/.test(r.url()) && r.request().method() === 'DELETE')
    await page.locator('.el-message-box__btns .el-button--primary').click()
    assert.equal((await del).status(), 204)
    await hook.waitFor({ state: 'detached' })

    // The same list in English.
    await page.locator('[data-testid=menu-cases]').click()
    await page.locator('[data-testid=cases-table] .el-table__body-wrapper tr').first().waitFor()
    await page.locator('[data-testid=lang-en]').first().click()
    await page.getByText('Problem list').first().waitFor()
    assert.match(await page.locator('[data-testid=side-menu]').innerText(), /Triage/)
    await shot(page, 'loop-28-cases-en.png')
  } finally {
    await page.context().close()
  }
})

test('(d) on-site fix, duplicates, void, batch dispatch under one notice, parking, extensions', async () => {
  const phone = await newPage({ mobile: true })
  const office = await newPage()
  const unit = await newPage()
  try {
    await login(phone, 'grid', '/m/')
    const centre = await gridCentre(phone)
    const report = (dlat, dlng, title) =>
      api(phone, 'POST', '/api/v1/cases', { category: '0102', title, lat: centre.lat + dlat, lng: centre.lng + dlng })

    // A grid worker fixes a problem on the spot from the phone page.
    const small = (await report(-0.003, -0.003, '楼道口少量垃圾')).case
    await phone.locator('[data-testid=m-tab-mine]').click()
    const item = phone.locator(`[data-testid=m-case-item][data-case-no="${small.case_no}"]`)
    await item.locator('[data-testid=m-case-fix]').click()
    await phone.locator('[data-testid=m-fix]').waitFor()
    await phone.locator('[data-testid=m-fix-photo-input]').setInputFiles({ name: 'fixed.jpg', mimeType: 'image/jpeg', buffer: photoAfter })
    await phone.locator('[data-testid=m-fix] .preview img').waitFor()
    await phone.locator('[data-testid=m-fix-note]').fill('已当场清理')
    await shot(phone, 'loop-14-mobile-fix.png', { fullPage: false })
    const fixed = phone.waitForResponse((r) => /\/transitions$/.test(r.url()))
    await phone.locator('[data-testid=m-fix-submit]').click()
    const fixedView = await (await fixed).json()
    assert.equal(fixedView.case.state, 'rectified', 'fixed on site goes straight to verification')
    await item.locator('[data-testid=case-state][data-state=rectified]').waitFor()

    // Reports for the office: a duplicate pair, one to void, two to dispatch together, one to park.
    const orig = (await report(0.002, 0.002, '垃圾堆放（原）')).case
    const dup = (await report(0.00201, 0.00201, '垃圾堆放（重复）')).case
    const junk = (await report(0.0025, -0.0025, '误报')).case
    const b1 = (await report(-0.002, 0.002, '合并派遣一')).case
    const b2 = (await report(-0.0021, 0.0021, '合并派遣二')).case
    const parked = (await report(0.001, -0.002, '长期问题')).case

    await login(office, 'office')
    for (const c of [orig, b1, b2, parked]) await api(office, 'POST', `/api/v1/cases/${c.id}/transitions`, { action: 'file' })
    await office.goto(`${BASE}/triage`)

    // Mark the duplicate, choosing its original from the nearby cases.
    const dupRow = rowOf(office, 'triage-table', dup.case_no)
    await dupRow.waitFor()
    await dupRow.locator('[data-testid=triage-duplicate]').click()
    let dialog = office.locator('[data-testid=action-dialog]:visible')
    await dialog.locator('[data-testid=action-duplicate-of]').click()
    await office.locator('.el-select-dropdown__item:visible', { hasText: orig.case_no }).first().click()
    let view = await confirmDialog(office)
    assert.equal(view.case.state, 'duplicate')
    assert.equal(view.case.duplicate_of, orig.id)

    // Void needs a reason.
    await rowOf(office, 'triage-table', junk.case_no).locator('[data-testid=triage-void]').click()
    dialog = office.locator('[data-testid=action-dialog]:visible')
    await dialog.locator('[data-testid=action-submit]').click()
    await dialog.locator('.el-form-item__error').first().waitFor()
    // The case's own entry for void asked for the reason.
    assert.equal(await dialog.getAttribute('data-note'), 'required')
    view = await confirmDialog(office, { note: '经核实为误报' })
    assert.equal(view.case.state, 'voided')

    // Two filed cases of 永泰街道 under one notice.
    await office.locator('#tab-filed').click()
    for (const c of [b1, b2]) await rowOf(office, 'triage-table', c.case_no).locator('.el-checkbox').click()
    await office.locator('[data-testid=triage-batch]').click()
    const batch = office.locator('[data-testid=batch-dialog]')
    await batch.waitFor()
    await batch.locator('[data-testid=batch-requirement]').fill('两处垃圾一并清运')
    await shot(office, 'loop-15-batch.png', { fullPage: false })
    const notice = office.waitForResponse((r) => r.url().endsWith('/api/v1/notices') && r.request().method() === 'POST')
    await batch.locator('[data-testid=batch-submit]').click()
    const n = await (await notice).json()
    assert.equal((await notice).status(), 201)
    assert.deepEqual([...n.case_ids].sort(), [b1.id, b2.id].sort())
    await rowOf(office, 'triage-table', b1.case_no).waitFor({ state: 'detached' })

    // Park with a review date, then take it back.
    await rowOf(office, 'triage-table', parked.case_no).locator('[data-testid=triage-park]').click()
    view = await confirmDialog(office, { note: '涉及拆迁，待统一整治' })
    assert.equal(view.case.state, 'parked')
    assert.ok(view.case.park_review_date)
    await office.locator('#tab-parked').click()
    await rowOf(office, 'triage-table', parked.case_no).locator('[data-testid=triage-unpark]').click()
    view = await confirmDialog(office)
    assert.equal(view.case.state, 'filed')

    // The unit asks for more time on one of the batch; the office grants part of it.
    await login(unit, 'unit')
    await api(unit, 'POST', `/api/v1/cases/${b1.id}/transitions`, { action: 'acknowledge' })
    await unit.goto(`${BASE}/inbox`)
    await unit.locator('#tab-acknowledged').click()
    await rowOf(unit, 'inbox-table', b1.case_no).locator('[data-testid=inbox-extension]').click()
    dialog = unit.locator('[data-testid=action-dialog]:visible')
    await dialog.locator('[data-testid=action-ext-amount] input').fill('2')
    view = await confirmDialog(unit, { note: '需协调环卫车辆' })
    assert.equal(view.case.extension_pending, true)
    await rowOf(unit, 'inbox-table', b1.case_no).locator('[data-testid=case-timer][data-level=paused]').waitFor()

    await office.locator('#tab-extension').click()
    await rowOf(office, 'triage-table', b1.case_no).locator('[data-testid=triage-decide]').click()
    dialog = office.locator('[data-testid=action-dialog]:visible')
    await dialog.locator('[data-testid=action-decision] .el-radio', { hasText: '部分同意' }).click()
    await shot(office, 'loop-16-extension.png', { fullPage: false })
    view = await confirmDialog(office)
    assert.equal(view.case.extension_pending, false)
  } finally {
    for (const p of [phone, office, unit]) await p.context().close()
  }
})

test('(e) the notice of a dispatched case opens as a PDF', async () => {
  assert.ok(pdfHref, 'test (a) found the notice link on the case page')
  // The link names the app's language, so that the PDF opens worded like the page.
  assert.match(pdfHref, /^\/api\/v1\/notices\/\d+\.pdf\?lang=(zh-CN|en)$/)
  const page = await newPage()
  try {
    await login(page, 'office')
    const pdf = await page.evaluate(async (u) => {
      const r = await fetch(u)
      const head = new Uint8Array(await r.arrayBuffer()).slice(0, 5)
      return { status: r.status, type: r.headers.get('content-type'), magic: String.fromCharCode(...head) }
    }, pdfHref)
    assert.deepEqual(pdf, { status: 200, type: 'application/pdf', magic: '%PDF-' })
  } finally {
    await page.context().close()
  }
})
