// WCAG 2.1 AA checks with axe-core (GB/T 37668-2019 asks this of government web content). The
// engine is evaluated in the page through the DevTools protocol, so the app's Content-Security-
// Policy (no inline scripts) stays as it is in production.
import fs from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

/** The WCAG 2.1 A/AA violations on the page as it is now (after animations end). */
export async function axeViolations(page, { exclude = [] } = {}) {
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))))
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE_SOURCE)
  return page.evaluate(
    async ({ tags, exclude }) => {
      const context = exclude.length ? { exclude: exclude.map((s) => [s]) } : document
      const result = await window.axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
        count: v.nodes.length,
      }))
    },
    { tags: TAGS, exclude },
  )
}

/** Fails with a readable list when the page has any WCAG 2.1 A/AA violation. */
export async function expectAccessible(assert, page, name, options) {
  const violations = await axeViolations(page, options)
  const lines = violations.flatMap((v) => [
    `${v.id} (${v.impact}, ${v.count}×): ${v.help}`,
    ...v.nodes.map((n) => `    ${n.target}: ${(n.summary || '').split('\n').join(' ')}`),
  ])
  assert.equal(violations.length, 0, `${name}: ${violations.length} WCAG 2.1 AA rule(s) violated\n${lines.join('\n')}`)
}
