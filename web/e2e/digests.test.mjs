// Browser test of the units' digests (工作提示, issue 8 part 9), against a running civicloop with the
// demo preset (see loop.test.mjs; tests/browser_test.sh starts it with --webhook-allow 127.0.0.1/32
// so that a robot may be a receiver this test starts on loopback):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/digests.test.mjs
//
// The HQ office adds, on the robots page, a robot for 永泰街道 (the unit's own group chat) that
// points at a receiver on 127.0.0.1; the table shows the unit; the 工作提示 dialog previews the
// daily and the weekly digest with the unit's figures as GET /digests/preview words them; the
// server's scheduler then sends the unit its digest, which the receiver gets, and the dialog's
// history lists it. The same page at 390 px and in English; no axe violation. The case list reads
// a KPI figure's recurrence filter from its address. Screenshots: digests-*.png.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { BASE, launch, newPage as openPage, shot, login, api, inside } from './support/browser.mjs'
import { expectAccessible } from './support/axe.mjs'

let browser
let receiver
const received = []
let receiverUrl

before(async () => {
  browser = await launch()
  receiver = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      received.push({ url: req.url, body })
      res.setHeader('Content-Type', 'application/json')
      res.end('{"errcode":0,"errmsg":"ok"}')
    })
  })
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${receiver.address().port}/cgi-bin/webhook/send?key=yongtai-digest`
})
after(async () => {
  await browser?.close()
  await new Promise((resolve) => receiver?.close(resolve))
})

const newPage = (opts) => openPage(browser, opts)

test('a unit robot gets its digest; the office previews it and sees it sent', async () => {
  const page = await newPage()
  try {
    await login(page, 'office', '/cases')
    // Something for 永泰街道 to be told: a problem dispatched to it now.
    const grids = (await api(page, 'GET', '/api/v1/org/units?kind=grid&limit=200')).body.items
    const grid = grids.find((g) => g.name.startsWith('永泰北社区') && g.boundary)
    const r = await api(page, 'POST', '/api/v1/cases', { category: '0102', title: '工作提示测试 堆物', ...inside(grid.boundary) })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    for (const action of ['file', 'dispatch']) {
      const t = await api(page, 'POST', `/api/v1/cases/${r.body.case.id}/transitions`, { action })
      assert.equal(t.status, 200, JSON.stringify(t.body))
    }
    const unitId = (await api(page, 'GET', '/api/v1/org/units?kind=subdistrict&limit=50')).body.items.find((u) => u.name === '永泰街道').id

    await page.goto(`${BASE}/settings/webhooks`)
    await page.locator('[data-testid=webhooks-table]').waitFor()
    await page.locator('[data-testid=webhook-add]').click()
    await page.locator('[data-testid=webhook-name]').fill('永泰街道工作群')
    await page.locator('[data-testid=webhook-url]').fill(receiverUrl)
    const select = page.locator('[data-testid=webhook-form] [data-testid=unit-select]')
    await select.click()
    await page.keyboard.type('永泰街道')
    await page.locator('.el-select-dropdown__item:visible span:text-is("永泰街道")').first().click()
    const created = page.waitForResponse((res) => res.url().endsWith('/api/v1/webhooks') && res.request().method() === 'POST')
    await page.locator('[data-testid=webhook-save]').click()
    const hook = await (await created).json()
    assert.equal(hook.unit_id, unitId)
    const row = page.locator('[data-testid=webhooks-table] tr', { hasText: '永泰街道工作群' })
    await row.waitFor()
    assert.match(await row.innerText(), /永泰街道/)
    await shot(page, 'digests-1-robots.png')

    // The preview, as the API words it.
    await row.locator('[data-testid=webhook-digest]').click()
    const preview = page.locator('[data-testid=digest-preview]')
    const want = (await api(page, 'GET', `/api/v1/digests/preview?unit_id=${unitId}&kind=daily`)).body
    await preview.getByText(want.title).waitFor()
    assert.match(await preview.innerText(), /永泰街道 \d+月\d+日工作提示/)
    assert.match(await preview.innerText(), /当前在办 \d+ 件/)
    await page.locator('[data-testid=digest-kind] label', { hasText: '每周' }).click()
    await preview.getByText('上周工作提示').waitFor()
    await expectAccessible(assert, page, 'digest dialog')
    await shot(page, 'digests-2-preview.png')

    // The scheduler (a sweep every 30 s, the outbox every 10 s) sends the unit its digests.
    const deadline = Date.now() + 120_000
    while (Date.now() < deadline && !received.some((m) => m.url.includes('yongtai-digest'))) {
      await new Promise((res) => setTimeout(res, 1000))
    }
    const mine = received.filter((m) => m.url.includes('yongtai-digest'))
    assert.ok(mine.length >= 1, 'the unit robot got no digest')
    assert.ok(mine.some((m) => /永泰街道/.test(m.body) && /工作提示/.test(m.body)), mine.map((m) => m.body).join('\n'))
    const history = (await api(page, 'GET', `/api/v1/digests?unit_id=${unitId}`)).body
    assert.ok(history.items.length >= 1)
    assert.equal(history.robots, 1)

    // The dialog again: the history lists what was sent.
    await page.keyboard.press('Escape')
    await row.locator('[data-testid=webhook-digest]').click()
    await page.locator('[data-testid=digest-history] .el-table__body tr').first().waitFor()
    await shot(page, 'digests-3-sent.png')
    await page.keyboard.press('Escape')

    // Delete the robot again (other test files share the server).
    await row.locator('[data-testid=webhook-delete]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await row.waitFor({ state: 'detached' })
  } finally {
    await page.context().close()
  }
})

test('the robots page and the digest preview at 390 px and in English', async () => {
  const phone = await newPage({ mobile: true })
  const en = await newPage({ lang: 'en' })
  try {
    await login(en, 'office', '/cases')
    const unitId = (await api(en, 'GET', '/api/v1/org/units?kind=subdistrict&limit=50')).body.items.find((u) => u.name === '永泰街道').id
    const made = await api(en, 'POST', '/api/v1/webhooks', { name: 'Yongtai group', flavour: 'generic', url: receiverUrl, unit_id: unitId })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    try {
      await en.goto(`${BASE}/settings/webhooks`)
      const row = en.locator('[data-testid=webhooks-table] tr', { hasText: 'Yongtai group' })
      await row.waitFor()
      await row.locator('[data-testid=webhook-digest]').click()
      const preview = en.locator('[data-testid=digest-preview]')
      await preview.getByText('digest for').waitFor()
      assert.match(await preview.innerText(), /Open now: \d+/)
      await shot(en, 'digests-4-preview-en.png')

      await login(phone, 'office', '/cases')
      await phone.goto(`${BASE}/settings/webhooks`)
      const prow = phone.locator('[data-testid=webhooks-table] tr', { hasText: 'Yongtai group' })
      await prow.waitFor()
      await shot(phone, 'digests-5-robots-390.png')
      await prow.locator('[data-testid=webhook-digest]').click()
      await phone.locator('[data-testid=digest-preview]').getByText('工作提示').first().waitFor()
      const wide = await phone.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(wide <= 392, `the page scrolls sideways at 390 px (${wide})`)
      await shot(phone, 'digests-6-preview-390.png')
    } finally {
      assert.equal((await api(en, 'DELETE', `/api/v1/webhooks/${made.body.id}`)).status, 204)
    }

    // A KPI figure's recurrence link: the case list keeps the filter and says so.
    await phone.goto(`${BASE}/cases?recurrence=true`)
    await phone.getByText('举一反三：同一地点再次发生的问题').waitFor()
  } finally {
    await phone.context().close()
    await en.context().close()
  }
})
