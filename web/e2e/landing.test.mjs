// Where each role lands (issue 8 part 5) and a leader's places (我的联系点), against a running
// civicloop with the demo preset (see loop.test.mjs for how to start one):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/landing.test.mjs
//
// (a) Signing in without a target, and later the bare address, takes each demo user to his own
//     work: HQ office → /triage, unit operator → /inbox, supervisor and task force → /verify, grid
//     worker → /m/ on a phone and /inbox on a wide screen, leader → /dashboard (with his places), citizen → his reports
//     (/cases); /home still opens. Screenshots of each landing page at 1366 px and 390 px, zh and en.
// (b) The leader's places: his three liaison subdistricts as cards with the counts of
//     GET /places/mine; a number opens the case list filtered to it, holding that many cases; the
//     same at 390 px without sideways scroll. Screenshots places-*.png.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PASSWORD, launch, newPage as openPage, shot, login, api, inside } from './support/browser.mjs'

const LANDING = {
  admin: '/triage',
  office: '/triage',
  leader: '/dashboard',
  supervisor: '/verify',
  taskforce: '/verify',
  unit: '/inbox',
  grid: { desktop: '/inbox', phone: '/m/' },
  citizen: '/cases',
}
const landingOf = (user, mobile) => (typeof LANDING[user] === 'string' ? LANDING[user] : LANDING[user][mobile ? 'phone' : 'desktop'])
const samePath = (a, b) => a.replace(/\/$/, '') === b.replace(/\/$/, '')

let browser
before(async () => {
  browser = await launch()
  // A few open cases in 永泰街道, one of them overdue-free but open, so the cards have numbers.
  const office = await openPage(browser)
  try {
    await login(office, 'office', '/cases')
    const grids = (await api(office, 'GET', '/api/v1/org/units?kind=grid&limit=200')).body.items
    const grid = grids.find((g) => g.name.startsWith('永泰北社区') && g.boundary)
    for (let i = 0; i < 3; i++) {
      const r = await api(office, 'POST', '/api/v1/cases', { category: '0102', title: `联系点测试 ${i + 1}`, ...inside(grid.boundary) })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      const id = r.body.case.id
      assert.equal((await api(office, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'file' })).status, 200)
      assert.equal((await api(office, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'dispatch' })).status, 200)
    }
  } finally {
    await office.context().close()
  }
})
after(async () => {
  await browser?.close()
})

async function signIn(page, user) {
  await page.goto(`${BASE}/login`)
  await page.locator('[data-testid=login-username]').fill(user)
  await page.locator('[data-testid=login-password]').fill(PASSWORD)
  await page.locator('[data-testid=login-submit]').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

for (const mobile of [false, true]) {
  const width = mobile ? '390' : 'desktop'
  test(`each role lands on its own work (${width})`, async () => {
    for (const user of Object.keys(LANDING)) {
      const want = landingOf(user, mobile)
      for (const lang of ['zh-CN', 'en']) {
        const page = await openPage(browser, { mobile, lang })
        try {
          await signIn(page, user)
          await page.waitForURL((u) => samePath(u.pathname, want))
          // The bare address goes there too; /home can still be opened.
          await page.goto(`${BASE}/`)
          await page.waitForURL((u) => samePath(u.pathname, want))
          await page.waitForLoadState('networkidle')
          await shot(page, `landing-${user}-${width}-${lang === 'en' ? 'en' : 'zh'}.png`)
          if (mobile && user !== 'admin' && user !== 'office') {
            const w = await page.evaluate(() => document.documentElement.scrollWidth)
            assert.ok(w <= 390, `${user}'s landing page is ${w} px wide`)
          }
          if (lang === 'zh-CN') {
            await page.goto(`${BASE}/home`)
            await page.locator('[data-testid=citizen-home]').waitFor()
            assert.ok(samePath(new URL(page.url()).pathname, '/home'))
          }
        } finally {
          await page.context().close()
        }
      }
    }
  })

  test(`the leader sees his places and opens the cases behind a number (${width})`, async () => {
    for (const lang of ['zh-CN', 'en']) {
      const page = await openPage(browser, { mobile, lang })
      try {
        await login(page, 'leader', '/places')
        const mine = (await api(page, 'GET', '/api/v1/places/mine')).body.items
        assert.equal(mine.length, 3, 'three liaison subdistricts')
        const cards = page.locator('[data-testid=my-places] .card')
        await cards.first().waitFor()
        assert.equal(await cards.count(), 3)
        for (const p of mine) {
          for (const w of ['open', 'overdue', 'escalated']) {
            const n = await page.locator(`[data-testid=place-${p.unit_id}-${w}] .n`).innerText()
            assert.equal(Number(n), p[w], `${p.name} ${w}`)
          }
        }
        const w = await page.evaluate(() => document.documentElement.scrollWidth)
        assert.ok(w <= (mobile ? 390 : 1366), `/places is ${w} px wide`)
        await shot(page, `places-${width}-${lang === 'en' ? 'en' : 'zh'}.png`)

        // 永泰街道's open cases: the list behind the number.
        const yongtai = mine.find((p) => p.name === '永泰街道')
        assert.ok(yongtai && yongtai.open >= 3, JSON.stringify(yongtai))
        await page.locator(`[data-testid=place-${yongtai.unit_id}-open]`).click()
        await page.waitForURL((u) => u.pathname === '/cases' && u.searchParams.get('subdistrict_id') === String(yongtai.unit_id))
        const rows = page.locator('[data-testid=cases-table] .el-table__body-wrapper tr.el-table__row')
        await rows.first().waitFor()
        if (yongtai.open <= 50) {
          await page.waitForFunction(
            (n) => document.querySelectorAll('[data-testid=cases-table] .el-table__body-wrapper tr.el-table__row').length === n,
            yongtai.open,
          )
        }
      } finally {
        await page.context().close()
      }
    }
  })
}
