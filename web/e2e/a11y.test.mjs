// WCAG 2.1 AA on every page (GB/T 37668-2019 asks it of government web content), against a running
// civicloop with the demo preset (see loop.test.mjs for how to start one):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/a11y.test.mjs
//
// Each demo user signs in (admin, office, leader, supervisor, taskforce, unit, grid, citizen) and
// axe-core (e2e/support/axe.mjs) runs on every page that role can open — the login page too, the
// phone page for the grid worker, the settings for the admin, a case's detail — at 1366 px and at
// 390 px. No rule is silenced and no element excluded. Every page a leader, unit operator or grid
// worker uses must not scroll sideways at 390 px (document scrollWidth ≤ 390).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, launch, newPage as openPage, login, api, inside } from './support/browser.mjs'
import { axeViolations } from './support/axe.mjs'

const COMMON = ['/cases', '/report', '/home', '/account']
const STAFF = [...COMMON, '/notices', '/responsibility', '/ranking']
const ORG = ['/structure', '/units', '/people', '/liaisons']
const SETTINGS = ['/settings/categories', '/settings/routing', '/settings/calendar', '/settings/workflow', '/settings/webhooks', '/settings/import']
const ROLES = {
  admin: ['/triage', '/verify', ...STAFF, ...ORG, '/users', '/ledger', ...SETTINGS, 'CASE'],
  office: ['/triage', '/verify', ...STAFF, ...ORG, 'CASE'],
  leader: ['/places', ...STAFF, ...ORG, 'CASE'],
  supervisor: ['/verify', ...STAFF, ...ORG, 'CASE'],
  taskforce: ['/verify', ...STAFF, ...ORG, 'CASE'],
  unit: ['/inbox', '/places', ...STAFF, ...ORG, 'CASE'],
  grid: ['/m/', '/inbox', ...STAFF, ...ORG, 'CASE'],
  citizen: [...COMMON, 'CASE'],
}
// Roles whose every page must fit a 390 px phone.
const PHONE_ROLES = new Set(['leader', 'unit', 'grid'])

let browser
const caseOf = {} // username → a case he may open
before(async () => {
  browser = await launch()
  const office = await openPage(browser)
  const citizen = await openPage(browser)
  try {
    await login(office, 'office', '/cases')
    await login(citizen, 'citizen', '/cases')
    const grids = (await api(office, 'GET', '/api/v1/org/units?kind=grid&limit=200')).body.items
    const grid = grids.find((g) => g.name.startsWith('永泰北社区') && g.boundary)
    const r = await api(office, 'POST', '/api/v1/cases', { category: '0102', title: '无障碍检查用例', ...inside(grid.boundary) })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    const id = r.body.case.id
    assert.equal((await api(office, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'file' })).status, 200)
    assert.equal((await api(office, 'POST', `/api/v1/cases/${id}/transitions`, { action: 'dispatch' })).status, 200)
    const mine = await api(citizen, 'POST', '/api/v1/cases', { category: '0102', title: '市民上报的垃圾', ...inside(grid.boundary) })
    assert.equal(mine.status, 201, JSON.stringify(mine.body))
    for (const u of Object.keys(ROLES)) caseOf[u] = u === 'citizen' ? mine.body.case.id : id
  } finally {
    await office.context().close()
    await citizen.context().close()
  }
})
after(async () => {
  await browser?.close()
})

/** Waits until the page has drawn (no request pending, transitions over). */
async function settle(page) {
  await page.waitForLoadState('networkidle')
  await page.locator('.el-loading-mask').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => null)
  await page.waitForTimeout(150)
}

function describe(found) {
  return found
    .map(({ where, violations }) =>
      [`${where}:`, ...violations.flatMap((v) => [`  ${v.id} (${v.impact}, ${v.count}×): ${v.help}`, ...v.nodes.map((n) => `      ${n.target}: ${(n.summary || '').split('\n').join(' ')}`)])].join('\n'),
    )
    .join('\n')
}

for (const mobile of [false, true]) {
  const width = mobile ? '390 px' : 'desktop'

  test(`the login page meets WCAG 2.1 AA (${width})`, async () => {
    const page = await openPage(browser, { mobile })
    try {
      await page.goto(`${BASE}/login`)
      await page.locator('[data-testid=login-username]').waitFor()
      await settle(page)
      const v = await axeViolations(page)
      assert.equal(v.length, 0, describe([{ where: '/login', violations: v }]))
    } finally {
      await page.context().close()
    }
  })

  for (const [user, routes] of Object.entries(ROLES)) {
    test(`every page ${user} can open meets WCAG 2.1 AA (${width})`, async () => {
      const page = await openPage(browser, { mobile })
      const found = []
      const wide = []
      try {
        await login(page, user, '/account')
        for (const r of routes) {
          const route = r === 'CASE' ? `/cases/${caseOf[user]}` : r
          await page.goto(`${BASE}${route}`)
          await settle(page)
          assert.notEqual(new URL(page.url()).pathname, '/forbidden', `${user} may open ${route}`)
          const violations = await axeViolations(page)
          if (violations.length) found.push({ where: route, violations })
          if (mobile && PHONE_ROLES.has(user)) {
            const w = await page.evaluate(() => document.documentElement.scrollWidth)
            if (w > 390) wide.push(`${route}: ${w} px`)
          }
        }
      } finally {
        await page.context().close()
      }
      assert.equal(found.length, 0, `${user} (${width}): WCAG 2.1 AA violations\n${describe(found)}`)
      assert.deepEqual(wide, [], `${user}: pages wider than 390 px`)
    })
  }
}
