// Times come from the API as UTC ISO strings and are shown in the tenant's zone.
export const TENANT_TIME_ZONE = 'Asia/Shanghai'

const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: TENANT_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** `2026-11-27T21:05:00Z` → `2026-11-28 05:05:00` (Asia/Shanghai). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const parts: Record<string, string> = {}
  for (const p of fmt.formatToParts(d)) parts[p.type] = p.value
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`
}

/** Short, readable rendering of a JSON value for the ledger diff. */
export function showValue(v: unknown): string {
  if (v === undefined) return '—'
  if (v === null) return 'null'
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}
