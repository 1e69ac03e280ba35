// The phone page (/m/) offers only the actions the server allows (the case's `actions`), with the
// photo stage from that entry: a citizen who reports sees no fix-on-site (就地整改) button, on the
// sent page or under "my reports", and no on-site photo is ever sent; a grid worker of the place
// sees it and fixes the problem with it. Against a running civicloop with the demo preset (see
// loop.test.mjs):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/mobile.test.mjs
//
// Screenshots (mobile-*-390.png, zh and en) go to CIVICLOOP_SCREENSHOTS (default ../build/screenshots).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { api, launch, login, newPage, shot } from './support/browser.mjs'

const GRID_CODE = '140213050001-G1'
let browser
let photo

before(async () => {
  browser = await launch()
  const p = await newPage(browser)
  await p.setContent('<div style="width:640px;height:480px;background:linear-gradient(135deg,#8d6e63,#d7ccc8)"></div>')
  photo = await p.screenshot({ type: 'jpeg', quality: 80, clip: { x: 0, y: 0, width: 640, height: 480 } })
  await p.context().close()
})

after(async () => {
  await browser?.close()
})

/** A point inside the demo grid, read from its boundary (as a grid worker may list units). */
async function gridCentre(page) {
  const units = await api(page, 'GET', '/api/v1/org/units?kind=grid&limit=200')
  const grid = units.body.items.find((u) => u.code === GRID_CODE)
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
  return { lat: Number(lat.toFixed(6)), lng: Number(lng.toFixed(6)) }
}

/** Reports on the phone page with a photo at this point; answers the created case. */
async function reportOnThePhone(page, centre, description) {
  await page.locator('[data-testid=m-photo-input]').setInputFiles({ name: 'before.jpg', mimeType: 'image/jpeg', buffer: photo })
  await page.locator('[data-testid=m-photo-preview] img').waitFor()
  if (!(await page.locator('[data-testid=m-lat]').isVisible())) await page.locator('[data-testid=m-loc-manual]').click()
  await page.locator('[data-testid=m-lat]').fill(String(centre.lat))
  await page.locator('[data-testid=m-lng]').fill(String(centre.lng))
  await page.locator('[data-testid=m-category]').click()
  await page.locator('[data-testid=m-category-search]').fill('暴露垃圾')
  await page.locator('[data-testid=m-category-option][data-code="0102"]').click()
  await page.locator('[data-testid=m-category-picker]').waitFor({ state: 'hidden' })
  await page.locator('[data-testid=m-description]').fill(description)
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/cases') && r.request().method() === 'POST')
  await page.locator('[data-testid=m-send]').click()
  const body = await (await created).json()
  await page.locator('[data-testid=m-sent]').waitFor()
  return body.case
}

test('a citizen on the phone page is offered no fix on site; a grid worker of the place is', async () => {
  let centre
  for (const lang of ['zh-CN', 'en']) {
    const tag = lang === 'en' ? 'en' : 'zh'
    const grid = await newPage(browser, { mobile: true, lang })
    const citizen = await newPage(browser, { mobile: true, lang })
    try {
      await login(grid, 'grid', '/m/')
      centre ??= await gridCentre(grid)

      // The citizen reports with a photo: the case's view offers him nothing, so no button.
      await login(citizen, 'citizen', '/m/')
      await citizen.locator('[data-testid=mobile-page]').waitFor()
      const onSite = []
      citizen.on('request', (r) => {
        if (/\/attachments\?stage=(on_site|after)/.test(r.url())) onSite.push(r.url())
      })
      const mine = await reportOnThePhone(citizen, centre, lang === 'en' ? 'Rubbish bags on the pavement' : '人行道上堆放垃圾袋')
      assert.equal(mine.state, 'reported')
      const view = await api(citizen, 'GET', `/api/v1/cases/${mine.id}`)
      assert.equal(view.status, 200)
      assert.deepEqual(view.body.allowed, [], 'the server allows the citizen no action on his report')
      assert.equal(await citizen.locator('[data-testid=m-fix-start]').count(), 0, 'no fix-on-site button on the sent page')
      await shot(citizen, `mobile-citizen-sent-${tag}-390.png`)
      await citizen.locator('[data-testid=m-tab-mine]').click()
      const own = citizen.locator(`[data-testid=m-case-item][data-case-no="${mine.case_no}"]`)
      await own.waitFor()
      assert.equal(await citizen.locator('[data-testid=m-case-fix]').count(), 0, 'no fix-on-site button under my reports')
      await shot(citizen, `mobile-citizen-mine-${tag}-390.png`)
      assert.deepEqual(onSite, [], 'the citizen\'s page never sends an on-site photo')
      // The server refuses it anyway, and the case keeps only his own photo.
      const staffView = await api(grid, 'GET', `/api/v1/cases/${mine.id}`)
      assert.deepEqual(staffView.body.attachments.map((a) => a.stage), ['before'])

      // The grid worker who reports at the same place is offered the fix, on the sent page and in
      // his list, and the drawer asks for the photo stage of the entry (on_site).
      const his = await reportOnThePhone(grid, centre, lang === 'en' ? 'Bikes blocking the pavement' : '共享单车乱停放')
      await grid.locator('[data-testid=m-fix-start]').waitFor()
      await shot(grid, `mobile-grid-sent-${tag}-390.png`)
      await grid.locator('[data-testid=m-tab-mine]').click()
      const item = grid.locator(`[data-testid=m-case-item][data-case-no="${his.case_no}"]`)
      await item.locator('[data-testid=m-case-fix]').waitFor()
      // The citizen's report lies in his place too: he may fix it on the spot.
      await grid.locator(`[data-testid=m-case-item][data-case-no="${mine.case_no}"] [data-testid=m-case-fix]`).waitFor()
      await shot(grid, `mobile-grid-mine-${tag}-390.png`)
      await item.locator('[data-testid=m-case-fix]').click()
      await grid.locator('[data-testid=m-fix]').waitFor()
      await grid.locator('[data-testid=m-fix-photo-input]').setInputFiles({ name: 'fixed.jpg', mimeType: 'image/jpeg', buffer: photo })
      await grid.locator('[data-testid=m-fix] .preview img').waitFor()
      const uploaded = grid.waitForResponse((r) => /\/attachments\?stage=on_site$/.test(r.url()))
      const fixed = grid.waitForResponse((r) => /\/transitions$/.test(r.url()))
      await grid.locator('[data-testid=m-fix-submit]').click()
      assert.equal((await uploaded).status(), 201)
      assert.equal((await fixed).status(), 200)
      await item.locator('[data-testid=case-state][data-state=rectified]').waitFor()
      assert.equal(await item.locator('[data-testid=m-case-fix]').count(), 0, 'fixed: no longer offered')
    } finally {
      await grid.context().close()
      await citizen.context().close()
    }
  }
})
