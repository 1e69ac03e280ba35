// Browser tests of the workflow settings page (流程设置), against a running civicloop with the demo
// preset (see loop.test.mjs for how to start one):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/workflow.test.mjs
//
// (a) the HQ administrator finds the page in the settings menu, sees the preset's values with a
//     preview of the notice numbers, is told at the field when a number format lacks {year}, and
//     saves a change that the API then answers;
// (b) a save made from values someone else changed meanwhile is refused with a notice to reload,
//     and reloading shows the other change;
// (c) a unit operator has no settings menu and is sent away from the page.
// Every change is put back at the end, since the other browser tests share the server.
// Screenshots (workflow-*.png) go to CIVICLOOP_SCREENSHOTS (default ../build/screenshots).
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

/** Puts the given values back (whatever the revision is now). */
async function restore(page, values) {
  const now = (await api(page, 'GET', '/api/v1/workflow')).body
  const res = await api(page, 'PUT', '/api/v1/workflow', { ...now, ...values, revision: now.revision })
  assert.equal(res.status, 200, JSON.stringify(res.body))
}

test('(a) the HQ changes a setting on the page; a bad number format is refused at its field', async () => {
  const page = await newPage()
  try {
    await login(page, 'admin', '/', { arrive: false })
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.locator('[data-testid=menu-settings]').first().click()
    await page.locator('[data-testid=menu-settings-workflow]').first().click()
    await page.waitForURL((u) => u.pathname === '/settings/workflow')
    const form = page.locator('[data-testid=workflow-form]')
    await form.waitFor()
    const original = (await api(page, 'GET', '/api/v1/workflow')).body
    try {
      // The preset's values, and what its numbers look like.
      const year = new Date().getFullYear()
      await form.getByText(`平创整〔${year}〕0001号`).waitFor()
      assert.equal(await page.locator('[data-testid=workflow-evidence-distance] input').inputValue(), String(original.evidence_distance_m))
      assert.equal(await page.locator('[data-testid=workflow-ladder] [data-testid^=workflow-step-]').count(), original.escalation_percents.length)
      await shot(page, 'workflow-desktop-zh.png')

      // A number format without the year: the page warns, and the server refuses it at the field.
      const fmt = page.locator('input[data-testid=workflow-rectification_number_format]')
      await fmt.fill('平创整{seq:04}号')
      await form.getByText('须同时含有').first().waitFor()
      await page.locator('[data-testid=workflow-save]').click()
      await form.locator('.el-form-item__error', { hasText: '编号格式' }).waitFor()
      assert.equal((await api(page, 'GET', '/api/v1/workflow')).body.rectification_number_format, original.rectification_number_format)

      // Put the format back, change the photo distance, save.
      await fmt.fill(original.rectification_number_format)
      const dist = page.locator('[data-testid=workflow-evidence-distance] input')
      await dist.fill('250')
      await dist.blur()
      const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/workflow') && r.request().method() === 'PUT')
      await page.locator('[data-testid=workflow-save]').click()
      assert.equal((await saved).status(), 200)
      await page.locator('.el-message--success').waitFor()
      const now = (await api(page, 'GET', '/api/v1/workflow')).body
      assert.equal(now.evidence_distance_m, 250)
      assert.equal(now.rectification_number_format, original.rectification_number_format)
      // The change is in the ledger, with both values.
      const events = (await api(page, 'GET', '/api/v1/ledger?entity_type=workflow&limit=1')).body.items
      assert.equal(events[0].before.evidence_distance_m, original.evidence_distance_m)
      assert.equal(events[0].after.evidence_distance_m, 250)
    } finally {
      await restore(page, { evidence_distance_m: original.evidence_distance_m, rectification_number_format: original.rectification_number_format })
    }
  } finally {
    await page.context().close()
  }
})

test('(b) a save over someone else’s change is refused and reloading shows it', async () => {
  const page = await newPage()
  try {
    await login(page, 'admin', '/settings/workflow')
    await page.waitForURL((u) => u.pathname === '/settings/workflow')
    await page.locator('[data-testid=workflow-form]').waitFor()
    const original = (await api(page, 'GET', '/api/v1/workflow')).body
    try {
      // Someone else changes the duplicate radius while the page is open.
      const other = await api(page, 'PUT', '/api/v1/workflow', { ...original, duplicate_radius_m: 70 })
      assert.equal(other.status, 200, JSON.stringify(other.body))
      const radius = page.locator('[data-testid=workflow-duplicate-radius] input')
      await radius.fill('90')
      await radius.blur()
      await page.locator('[data-testid=workflow-save]').click()
      await page.locator('[data-testid=workflow-conflict]').waitFor()
      assert.equal((await api(page, 'GET', '/api/v1/workflow')).body.duplicate_radius_m, 70)
      await page.locator('[data-testid=workflow-conflict] button').click()
      await page.locator('[data-testid=workflow-conflict]').waitFor({ state: 'hidden' })
      assert.equal(await radius.inputValue(), '70')
    } finally {
      await restore(page, { duplicate_radius_m: original.duplicate_radius_m })
    }
  } finally {
    await page.context().close()
  }
})

test('(c) a unit operator has no settings and is sent away from the page', async () => {
  const page = await newPage()
  try {
    await login(page, 'unit', '/settings/workflow', { arrive: false })
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.waitForLoadState('networkidle')
    assert.notEqual(new URL(page.url()).pathname, '/settings/workflow')
    assert.equal(await page.locator('[data-testid=menu-settings-workflow]').count(), 0)
  } finally {
    await page.context().close()
  }
})

test('the page at a phone width and in English', async () => {
  for (const [lang, mobile, name] of [
    ['en', false, 'workflow-desktop-en.png'],
    ['zh-CN', true, 'workflow-phone-zh.png'],
    ['en', true, 'workflow-phone-en.png'],
  ]) {
    const page = await newPage({ mobile, lang })
    try {
      await login(page, 'admin', '/settings/workflow')
      await page.waitForURL((u) => u.pathname === '/settings/workflow')
      const form = page.locator('[data-testid=workflow-form]')
      await form.waitFor()
      if (lang === 'en') await form.getByText('Escalation of overdue cases').waitFor()
      // Nothing wider than the screen on a phone.
      if (mobile) {
        const wide = await page.evaluate(() => document.documentElement.scrollWidth)
        assert.ok(wide <= 390, `page is ${wide}px wide`)
      }
      await shot(page, name)
    } finally {
      await page.context().close()
    }
  }
})
