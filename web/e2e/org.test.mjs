// Browser tests of the organisation pages, against a running civicloop with the demo preset:
//
//   civicloop init --preset pingcheng --demo --db sqlite:/tmp/web.db
//   civicloop serve --db sqlite:/tmp/web.db --listen 127.0.0.1:18080 --web-root web/dist
//   CIVICLOOP_URL=http://127.0.0.1:18080 npm run test:e2e
//
// Env: CIVICLOOP_URL (default http://127.0.0.1:18080), CIVICLOOP_SCREENSHOTS (default
// ../build/screenshots from web/), CHROMIUM (default /usr/bin/chromium).
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
const CJK = /[\u3400-\u9fff]/

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

/** A fresh browser context (no cookies, no stored language) at a common laptop size. */
async function newPage() {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  return page
}

/** Screenshot once every running CSS transition or animation (tags zoom in, drawers slide) has ended. */
async function shot(page, name, { fullPage = true } = {}) {
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))))
  await page.screenshot({ path: path.join(SHOTS, name), fullPage })
}

/** Waits until an element has stopped sliding in (drawers animate from the right edge). */
async function settled(page, selector) {
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel)
    if (!el) return false
    const r = el.getBoundingClientRect()
    const last = el.__lastRight
    el.__lastRight = r.right
    return r.right <= window.innerWidth && last === r.right
  }, selector, { polling: 100 })
}

async function fillLogin(page, username, password) {
  await page.goto(`${BASE}/login`)
  await page.locator('[data-testid=login-username]').fill(username)
  await page.locator('[data-testid=login-password]').fill(password)
}

async function login(page, username) {
  await fillLogin(page, username, PASSWORD)
  await page.locator('[data-testid=login-submit]').click()
  await page.locator('[data-testid=side-menu]').waitFor()
}

test('admin sees the 1+11+7 chart, opens a group, switches to English', async () => {
  const page = await newPage()
  try {
    await login(page, 'admin')
    // The HQ office lands on its triage queue; the chart is one menu entry away.
    await page.waitForURL(/\/triage$/)
    await page.locator('[data-testid=menu-structure]').click()
    await page.waitForURL(/\/structure$/)

    const nodes = page.locator('[data-testid=org-node]')
    await nodes.first().waitFor()
    assert.equal(await nodes.count(), 19, '1 HQ + 11 groups + 7 task forces')
    assert.equal(await page.locator('[data-testid=org-node][data-kind=hq]').count(), 1)
    assert.equal(await page.locator('[data-testid=org-node][data-kind=supervision_group]').count(), 11)
    assert.equal(await page.locator('[data-testid=org-node][data-kind=task_force]').count(), 7)
    // The HQ office is on the chart but is not one of the 1+11+7.
    assert.equal(await page.locator('[data-testid=org-office][data-kind=hq_office]').count(), 1)
    const summary = await page.locator('[data-testid=structure-summary]').innerText()
    assert.match(summary, /1个指挥部.*11个指导督导组.*7个工作专班/)
    // The HQ box names its commanders.
    const hqText = await page.locator('[data-testid=org-node][data-kind=hq]').innerText()
    assert.match(hqText, /第一总指挥/)
    assert.match(hqText, /总指挥/)
    await shot(page, 'structure-zh.png')

    const group = page.locator('[data-testid=org-node][data-kind=supervision_group]', { hasText: '公共环境整治' })
    await group.click()
    const drawer = page.locator('[data-testid=unit-drawer]')
    await drawer.waitFor()
    assert.match(await drawer.locator('[data-testid=unit-drawer-name]').innerText(), /公共环境整治指导督导组/)
    const members = drawer.locator('[data-testid=unit-drawer-member]')
    await members.first().waitFor()
    assert.ok((await members.count()) >= 1, 'the group has at least one member')
    await settled(page, '[data-testid=unit-drawer]')
    await shot(page, 'structure-drawer-zh.png', { fullPage: false })

    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    await page.locator('[data-testid=lang-en]').first().click()
    await page.getByText('supervision groups').first().waitFor()
    assert.match(await page.locator('[data-testid=structure-summary]').innerText(), /11 supervision groups/)
    assert.equal(await page.evaluate(() => localStorage.getItem('civicloop.lang')), 'en')

    // The choice survives a reload, and API calls then ask for English.
    const structureCall = page.waitForRequest((r) => r.url().endsWith('/api/v1/org/structure'))
    await page.reload()
    assert.equal((await structureCall).headers()['accept-language'], 'en')
    await page.locator('[data-testid=org-node]').first().waitFor()
    await page.getByText('7 task forces').first().waitFor()
    assert.match(await page.locator('[data-testid=side-menu]').innerText(), /Structure/)
    await shot(page, 'structure-en.png')
  } finally {
    await page.context().close()
  }
})

test('a wrong password shows the server message in Chinese', async () => {
  const page = await newPage()
  try {
    await fillLogin(page, 'admin', 'not-the-password')
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
    await page.locator('[data-testid=login-submit]').click()
    const res = await answer
    assert.ok(res.status() >= 400 && res.status() < 500, `login refused with a 4xx, got ${res.status()}`)
    const body = await res.json()
    const message = body?.error?.message
    assert.ok(typeof message === 'string' && message.length > 0, 'error body has a message')
    assert.match(message, CJK, 'the message is in Chinese')
    const shown = page.locator('[data-testid=login-error]')
    await shown.waitFor()
    assert.ok((await shown.innerText()).includes(message), 'the page shows the server message')
    assert.match(page.url(), /\/login/)
    await shot(page, 'login-error-zh.png')
  } finally {
    await page.context().close()
  }
})

test('a unit operator sees only their own subdistrict and no users menu', async () => {
  const page = await newPage()
  try {
    await login(page, 'unit')
    const menu = page.locator('[data-testid=side-menu]')
    assert.equal(await page.locator('[data-testid=menu-users]').count(), 0)
    assert.doesNotMatch(await menu.innerText(), /用户/)
    assert.equal(await page.locator('[data-testid=menu-units]').count(), 1)

    await page.locator('[data-testid=menu-units]').click()
    await page.waitForURL(/\/units/)
    await page.locator('[data-testid=unit-tree] .tree-node', { hasText: '永泰街道' }).first().waitFor()
    await page.locator('[data-testid=unit-title]', { hasText: '永泰街道' }).waitFor()
    // Its communities are listed under it.
    await page.locator('[data-testid=unit-children] .el-table__row').first().waitFor()
    const text = await page.locator('body').innerText()
    assert.doesNotMatch(text, /古城街道/)
    await shot(page, 'units-unit-operator-zh.png')
  } finally {
    await page.context().close()
  }
})

test('admin units page shows the tree from the HQ; unknown pages say not found', async () => {
  const page = await newPage()
  try {
    await login(page, 'admin')
    await page.locator('[data-testid=menu-units]').click()
    await page.locator('[data-testid=unit-tree] .tree-node', { hasText: '指挥部' }).first().waitFor()
    await page.locator('[data-testid=unit-title]').waitFor()
    await page.locator('[data-testid=unit-members] .el-table__row').first().waitFor()
    await shot(page, 'units-admin-zh.png')

    await page.goto(`${BASE}/no-such-page`)
    await page.locator('[data-testid=not-found]').waitFor()
  } finally {
    await page.context().close()
  }
})

test('moving a unit under its own sub-unit is refused with the server message; a lost session returns to login', async () => {
  const page = await newPage()
  try {
    await login(page, 'admin')
    const found = await page.evaluate(async () => (await (await fetch('/api/v1/org/units?q=' + encodeURIComponent('永泰'))).json()).items)
    const yongtai = found.find((u) => u.name === '永泰街道')
    assert.ok(yongtai, '永泰街道 exists')
    await page.goto(`${BASE}/units?id=${yongtai.id}`)
    await page.locator('[data-testid=unit-title]', { hasText: '永泰街道' }).waitFor()

    await page.locator('[data-testid=unit-move]').click()
    await page.locator('.el-select[data-testid=unit-move-target]').click()
    const tree = page.locator('.el-tree[data-testid=unit-move-target]')
    const expand = (name) => tree.locator('.el-tree-node__content', { hasText: name }).first().locator('.el-tree-node__expand-icon').click()
    await expand('平城区创建文明城市指挥部')
    await expand('永泰街道')
    await tree.locator('.el-tree-node__content', { hasText: '永泰北社区' }).first().click()
    const answer = page.waitForResponse((r) => /\/api\/v1\/org\/units\/\d+\/move$/.test(r.url()))
    await page.getByRole('dialog', { name: '调整上级单位' }).getByRole('button', { name: '确定' }).click()
    const res = await answer
    assert.equal(res.status(), 409)
    const message = (await res.json()).error.message
    await page.locator('.el-message--error', { hasText: message }).waitFor()
    await shot(page, 'units-move-refused-zh.png', { fullPage: false })

    // The session ends behind the page's back: the next API call sends the user to the login page.
    await page.context().clearCookies()
    await page.getByRole('dialog', { name: '调整上级单位' }).getByRole('button', { name: '取消' }).click()
    await page.locator('[data-testid=menu-people]').click()
    await page.locator('[data-testid=login-form]').waitFor()
    assert.match(page.url(), /\/login\?redirect=/)
  } finally {
    await page.context().close()
  }
})
