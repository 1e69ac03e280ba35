// Browser test of 账号安全 and two-step sign-in: an office account turns TOTP on by scanning (here:
// reading) the secret, keeps its recovery codes, signs in with the second step, and turns it off.
// Uses an account of its own so that the other browser tests, which sign in as the demo users,
// are not asked for a code. Screenshots at desktop and phone width, Chinese and English.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
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
const USER = 'office2fa'

let browser

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true })
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  // The account, made by the administrator through the API.
  const admin = await apiLogin('admin')
  const res = await fetch(`${BASE}/api/v1/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf },
    body: JSON.stringify({ username: USER, password: PASSWORD, role: 'hq_staff', display_name: '两步验证测试' }),
  })
  assert.ok(res.status === 201 || res.status === 409, `create user: ${res.status}`)
})

after(async () => {
  await browser?.close()
})

async function apiLogin(username) {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  })
  assert.equal(res.status, 200)
  const body = await res.json()
  return { cookie: res.headers.get('set-cookie').split(';')[0], csrf: body.csrf_token }
}

/** RFC 6238 with SHA-1, six digits: what the authenticator app would show now. */
function totp(base32, offsetSteps = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of base32.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0')
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offsetSteps))
  const mac = crypto.createHmac('sha1', key).update(counter).digest()
  const o = mac[mac.length - 1] & 15
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0')
}

async function newPage(phone = false, locale = 'zh-CN') {
  const context = await browser.newContext(
    phone
      ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale, timezoneId: 'Asia/Shanghai' }
      : { viewport: { width: 1366, height: 768 }, locale, timezoneId: 'Asia/Shanghai' },
  )
  if (locale === 'en') await context.addInitScript(() => localStorage.setItem('civicloop.lang', 'en'))
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  return page
}

async function shot(page, name) {
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))))
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true })
}

async function signIn(page, code) {
  await page.goto(`${BASE}/login`)
  await page.locator('[data-testid=login-username]').fill(USER)
  await page.locator('[data-testid=login-password]').fill(PASSWORD)
  await page.locator('[data-testid=login-submit]').click()
  if (code === undefined) return
  await page.locator('[data-testid=login-code]').waitFor()
  await page.locator('[data-testid=login-code]').fill(code)
  await page.locator('[data-testid=login-submit]').click()
}

test('an office account turns on two-step sign-in, signs in with a recovery code, turns it off', async () => {
  const page = await newPage()
  try {
    await signIn(page)
    await page.locator('[data-testid=side-menu]').waitFor()
    await page.locator('[data-testid=current-user]').click()
    await page.waitForURL(/\/account$/)
    await page.locator('[data-testid=totp-start]').click()
    await page.locator('[data-testid=totp-qr]').waitFor()
    // The QR code is an image made by the server; it must have loaded (CSP allows data: images).
    assert.ok(await page.locator('[data-testid=totp-qr]').evaluate((img) => img.complete && img.naturalWidth > 0))
    const secret = (await page.locator('[data-testid=totp-secret]').innerText()).replace(/\s/g, '')
    assert.match(secret, /^[A-Z2-7]{32}$/)
    await shot(page, 'account-totp-setup-zh.png')

    await page.locator('[data-testid=totp-code]').fill(totp(secret))
    await page.locator('[data-testid=totp-confirm]').click()
    const codes = page.locator('[data-testid=recovery-codes] li')
    await codes.first().waitFor()
    assert.equal(await codes.count(), 10)
    const recovery = (await codes.first().innerText()).trim()
    assert.match(recovery, /^[A-Z2-7]{4}-[A-Z2-7]{4}$/)
    assert.match(await page.locator('[data-testid=totp-status]').innerText(), /已开启/)
    await shot(page, 'account-totp-on-zh.png')

    // Signing in again: the password, then the second step.
    await page.locator('[data-testid=logout]').click()
    await page.waitForURL(/\/login/)
    await signIn(page)
    await page.locator('[data-testid=login-second]').waitFor()
    await shot(page, 'login-second-step-zh.png')
    await page.locator('[data-testid=login-toggle-recovery]').click()
    await page.locator('[data-testid=login-code]').fill(recovery)
    await page.locator('[data-testid=login-submit]').click()
    await page.locator('[data-testid=side-menu]').waitFor()

    // The same recovery code does not work twice.
    const again = await fetch(`${BASE}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: USER, password: PASSWORD, recovery_code: recovery }),
    })
    assert.equal(again.status, 401)

    await page.goto(`${BASE}/account`)
    await page.locator('[data-testid=totp-off-password]').fill(PASSWORD)
    await page.locator('[data-testid=totp-off]').click()
    await page.locator('[data-testid=totp-start]').waitFor()
  } finally {
    await page.context().close()
  }
})

test('the account page and the second step read well on a phone and in English', async () => {
  const page = await newPage(true, 'en')
  try {
    await signIn(page)
    await page.locator('[data-testid=current-user]').waitFor()
    await page.goto(`${BASE}/account`)
    await page.locator('[data-testid=totp-start]').click()
    await page.locator('[data-testid=totp-qr]').waitFor()
    assert.match(await page.locator('[data-testid=totp-panel]').innerText(), /Scan the QR code/)
    await shot(page, 'account-totp-setup-en-phone.png')
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `no sideways scrolling on a phone (${width}px)`)
  } finally {
    await page.context().close()
  }
})
