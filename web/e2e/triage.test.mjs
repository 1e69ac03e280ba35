// Browser test of the triage queue's before-photos, against a running civicloop with the demo
// preset (see loop.test.mjs for how to start one):
//
//   CIVICLOOP_URL=http://127.0.0.1:18092 node --test e2e/triage.test.mjs
//
// A grid worker reports on the phone with a photo taken at the district centre, kilometres from
// the problem and days before (tests/fixtures/district_gps.jpg). The office's 立案派遣 queue shows
// the photo's thumbnail and its checks in words; the filing dialog shows the original with the
// same checks; in Chinese and in English, at desktop and 390 px width.
// Screenshots (triage-photos-*.png) go to CIVICLOOP_SCREENSHOTS (default ../build/screenshots).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { launch, newPage as openPage, shot, login, api, inside, fixture, SHOTS } from './support/browser.mjs'

let browser

before(async () => {
  browser = await launch()
})

after(async () => {
  await browser?.close()
})

const newPage = (opts) => openPage(browser, opts)

let caseNo

test('a report from the phone with a photo taken far away', async () => {
  const phone = await newPage({ mobile: true })
  try {
    await login(phone, 'grid', '/m/')
    await phone.locator('[data-testid=mobile-page]').waitFor()
    const grids = (await api(phone, 'GET', '/api/v1/org/units?kind=grid&limit=200')).body.items
    const grid = grids.find((u) => u.code === '140213050001-G1')
    assert.ok(grid?.boundary, 'the grid worker’s grid has a boundary')
    const at = inside(grid.boundary)
    await phone.locator('[data-testid=m-photo-input]').setInputFiles({ name: 'far.jpg', mimeType: 'image/jpeg', buffer: fixture('district_gps.jpg') })
    await phone.locator('[data-testid=m-photo-preview] img').waitFor()
    if (!(await phone.locator('[data-testid=m-lat]').isVisible())) await phone.locator('[data-testid=m-loc-manual]').click()
    await phone.locator('[data-testid=m-lat]').fill(String(at.lat))
    await phone.locator('[data-testid=m-lng]').fill(String(at.lng))
    await phone.locator('[data-testid=m-category]').click()
    await phone.locator('[data-testid=m-category-search]').fill('暴露垃圾')
    await phone.locator('[data-testid=m-category-option][data-code="0102"]').click()
    await phone.locator('[data-testid=m-category-picker]').waitFor({ state: 'hidden' })
    await phone.locator('[data-testid=m-description]').fill('照片核对：路边堆放垃圾')
    const created = phone.waitForResponse((r) => r.url().endsWith('/api/v1/cases') && r.request().method() === 'POST')
    const uploaded = phone.waitForResponse((r) => /\/attachments\?stage=before$/.test(r.url()))
    await phone.locator('[data-testid=m-send]').click()
    caseNo = (await (await created).json()).case.case_no
    const photo = await (await uploaded).json()
    assert.ok(photo.flags.includes('far_from_problem'), JSON.stringify(photo.flags))
    assert.ok(photo.flags.includes('taken_before_report'), JSON.stringify(photo.flags))
    await phone.locator('[data-testid=m-sent]').waitFor()
  } finally {
    await phone.context().close()
  }
})

const WORDS = {
  'zh-CN': { far: /距问题点\d+米/, old: '拍摄早于上报一天以上', file: '立案', column: '处置前照片' },
  en: { far: /\d+ m from the problem/, old: 'Taken over a day before the report', file: 'File', column: 'Before photos' },
}

for (const lang of ['zh-CN', 'en']) {
  for (const mobile of [false, true]) {
    const tag = `${lang === 'en' ? 'en' : 'zh'}-${mobile ? '390' : 'desktop'}`
    test(`the triage queue shows the thumbnail and its checks (${tag})`, async () => {
      assert.ok(caseNo, 'the report was made')
      const words = WORDS[lang]
      const page = await newPage({ mobile, lang })
      try {
        await login(page, 'office', '/triage')
        // A table row on the desktop, a card on a phone (the table does not fit 390 px).
        const row = mobile
          ? page.locator(`[data-testid=triage-card][data-case-no="${caseNo}"]`)
          : page.locator('[data-testid=triage-table] .el-table__body-wrapper tr', { hasText: caseNo })
        await row.waitFor()
        const imgBox = async (el) => (await el.boundingBox()) ?? { x: -1, y: -1, width: 0, height: 0 }
        const cell = row.locator('[data-testid=triage-photos]')
        const img = cell.locator('[data-testid=photo] img')
        await img.waitFor()
        assert.match(await img.getAttribute('src'), /^\/api\/v1\/attachments\/\d+\/thumbnail$/)
        await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle())
        const flags = await cell.locator('[data-testid=photo-flag]').allInnerTexts()
        assert.ok(flags.some((f) => words.far.test(f)), `far from the problem in words: ${flags}`)
        assert.ok(flags.includes(words.old), `taken before the report in words: ${flags}`)
        if (!mobile) assert.ok((await page.locator('[data-testid=triage-table] th', { hasText: words.column }).count()) > 0, 'the column is named')
        // The thumbnail is on the screen, not scrolled out of a table.
        const tb = await imgBox(img)
        assert.ok(tb.width > 0 && tb.x >= 0 && tb.x + tb.width <= (mobile ? 390 : 1366), `the thumbnail is visible: ${JSON.stringify(tb)}`)
        assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= (mobile ? 390 : 1366), 'no sideways scroll of the page')
        await shot(page, `triage-photos-${tag}.png`)

        // The filing dialog: the original photo at the dialog's width, with the same checks.
        await row.locator('[data-testid=triage-file]').click()
        const dialog = page.locator('[data-testid=action-dialog][data-action=file]')
        const before = dialog.locator('[data-testid=action-before-photos]')
        const full = before.locator('[data-testid=photo] img')
        await full.waitFor()
        assert.match(await full.getAttribute('src'), /^\/api\/v1\/attachments\/\d+$/)
        await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await full.elementHandle())
        // The original, at its own size or the dialog's width, whichever is less (never blown up).
        const natural = await full.evaluate((el) => el.naturalWidth)
        const room = await before.evaluate((el) => el.clientWidth)
        const box = await imgBox(full)
        assert.ok(Math.abs(box.width - Math.min(natural, room)) <= 2, `the photo at ${box.width} px (natural ${natural}, room ${room})`)
        const dflags = await before.locator('[data-testid=photo-flag]').allInnerTexts()
        assert.ok(dflags.some((f) => words.far.test(f)), `far from the problem in the dialog: ${dflags}`)
        assert.ok(dflags.includes(words.old), `taken before the report in the dialog: ${dflags}`)
        // The dialog as the user sees it (not the full page behind the overlay), once it has opened.
        await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))))
        await page.waitForTimeout(400)
        await page.screenshot({ path: path.join(SHOTS, `triage-photos-${tag}-file.png`) })
        await dialog.getByRole('button', { name: lang === 'en' ? 'Cancel' : '取消' }).click()
      } finally {
        await page.context().close()
      }
    })
  }
}
