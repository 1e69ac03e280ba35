// Browser tests of readable output, against a running civicloop with the demo preset (see
// loop.test.mjs for how to start one):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/ledger.test.mjs
//
// The ledger page shows what an official reads: a dispatch's changes as 责任单位 永泰街道 (not
// `assigned_unit_id 21`), 状态 待签收, the case by its number, the action as 派遣; and the same in
// English after the language switch. The notices list shows a closed notice without time left.
// Screenshots (ledger-*.png, notices-*.png, desktop and 390 px, zh-CN and en) go to
// CIVICLOOP_SCREENSHOTS (default ../build/screenshots).
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

  // The phone width, both languages.
  for (const english of [false, true]) {
    const phone = await newPage({ mobile: true })
    await login(phone, 'office', '/ledger')
    await setEnglish(phone, english)
    const row = phone.locator('[data-testid=ledger-table] .el-table__row', { hasText: caseNo }).first()
    await row.waitFor()
    await row.locator('.el-table__expand-icon').click()
    await phone.locator('.diff').first().waitFor()
    await shot(phone, `ledger-${english ? 'en' : 'zh'}-390.png`)
    await phone.context().close()
  }
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
