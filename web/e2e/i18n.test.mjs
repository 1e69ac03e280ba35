// Static checks of the message files (no browser, no server): every key the components use exists
// in both languages, both files have the same keys, and no component hard-codes Chinese text.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const srcDir = path.join(webDir, 'src')

async function loadMessages(file) {
  const source = fs.readFileSync(path.join(srcDir, 'i18n', file), 'utf8')
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2020 } }).outputText
  const mod = await import('data:text/javascript;base64,' + Buffer.from(js.replace(/^import .*$/gm, '')).toString('base64'))
  return mod.default
}

function flatten(obj, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v && typeof v === 'object') flatten(v, key, out)
    else out.set(key, v)
  }
  return out
}

function sourceFiles(dir) {
  const out = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) {
      if (e.name !== 'i18n') out.push(...sourceFiles(p))
    } else if (/\.(vue|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

/** Source without comments, so that notes for developers may mention Chinese terms. */
function stripComments(text) {
  return text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
}

const zh = flatten(await loadMessages('zh-CN.ts'))
const en = flatten(await loadMessages('en.ts'))
const files = sourceFiles(srcDir)

test('both languages have the same keys', () => {
  assert.deepEqual([...en.keys()].sort(), [...zh.keys()].sort())
})

test('every literal message key used in the code exists', () => {
  const missing = []
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8')
    for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z][\w.]*)'/g)) {
      if (!zh.has(m[1])) missing.push(`${path.relative(webDir, file)}: ${m[1]}`)
    }
    for (const m of text.matchAll(/\b(?:key|label|title):\s*'((?:menu|home|app|common)\.[\w.]+)'/g)) {
      if (!zh.has(m[1])) missing.push(`${path.relative(webDir, file)}: ${m[1]}`)
    }
  }
  assert.deepEqual(missing, [])
})

test('every role and unit kind has a label', async () => {
  const types = fs.readFileSync(path.join(srcDir, 'api', 'types.ts'), 'utf8')
  const list = (name) => [...types.match(new RegExp(`export const ${name}[^=]*=\\s*\\[([^\\]]*)\\]`))[1].matchAll(/'(\w+)'/g)].map((m) => m[1])
  for (const role of list('ROLES')) assert.ok(zh.has(`roles.${role}`) && en.has(`roles.${role}`), role)
  for (const kind of list('UNIT_KINDS')) assert.ok(zh.has(`kinds.${kind}`) && en.has(`kinds.${kind}`), kind)
})

test('every case state, action, source, limit unit, notice kind and webhook kind has a label', () => {
  const types = fs.readFileSync(path.join(srcDir, 'api', 'types.ts'), 'utf8')
  const list = (name) => [...types.match(new RegExp(`export const ${name}[^=]*=\\s*\\[([^\\]]*)\\]`))[1].matchAll(/'(\w+)'/g)].map((m) => m[1])
  const groups = {
    CASE_STATES: 'caseStates',
    CASE_ACTIONS: 'caseActions',
    CASE_SOURCES: 'caseSources',
    LIMIT_UNITS: 'limitUnits',
    NOTICE_KINDS: 'noticeKinds',
    WEBHOOK_FLAVOURS: 'webhooks.flavours',
  }
  for (const [name, prefix] of Object.entries(groups)) {
    const values = list(name)
    assert.ok(values.length > 0, name)
    for (const v of values) assert.ok(zh.has(`${prefix}.${v}`) && en.has(`${prefix}.${v}`), `${prefix}.${v}`)
  }
})

test('components hold no hard-coded Chinese', () => {
  const offenders = []
  for (const file of files) {
    const lines = stripComments(fs.readFileSync(file, 'utf8')).split('\n')
    lines.forEach((line, i) => {
      if (/[\u3400-\u9fff\uff08-\uff1f\u3001-\u3011]/.test(line)) offenders.push(`${path.relative(webDir, file)}:${i + 1}: ${line.trim()}`)
    })
  }
  assert.deepEqual(offenders, [])
})
