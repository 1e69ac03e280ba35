// Names for the units and people a page shows by id (a meeting's attendees and decision owners):
// a unit's card (GET /org/units/{id}: its name and its members, each with post and is_head) and,
// for a person not found among the members of the unit named with him, the person's own card
// (GET /org/people/{id}: name and memberships). Each is fetched once per page.
import { reactive } from 'vue'
import { orgApi } from '../api/org'
import type { Membership, Unit } from '../api/types'
import { localName } from '../i18n'

export interface UnitEntry {
  unit: Pick<Unit, 'id' | 'name' | 'name_en'>
  /** Heads first, then in the server's order. */
  members: Membership[]
}
export interface PersonEntry {
  name: string
  memberships: Membership[]
}

export function useOrgDirectory() {
  /** null: the card could not be read (shown by its id). */
  const units = reactive<Record<number, UnitEntry | null>>({})
  const people = reactive<Record<number, PersonEntry | null>>({})
  const unitLoads = new Map<number, Promise<void>>()
  const personLoads = new Map<number, Promise<void>>()

  function loadUnit(id: number): Promise<void> {
    let p = unitLoads.get(id)
    if (!p) {
      p = orgApi.unit(id, { silent: true }).then(
        (d) => {
          const members = [...d.members].sort((a, b) => Number(b.is_head) - Number(a.is_head))
          units[id] = { unit: d.unit, members }
        },
        () => {
          units[id] = null
        },
      )
      unitLoads.set(id, p)
    }
    return p
  }

  function loadPerson(id: number): Promise<void> {
    let p = personLoads.get(id)
    if (!p) {
      p = orgApi.person(id, { silent: true }).then(
        (d) => {
          people[id] = { name: d.person.name, memberships: d.memberships }
        },
        () => {
          people[id] = null
        },
      )
      personLoads.set(id, p)
    }
    return p
  }

  /** The person's membership of the unit, if the cards read so far show one. */
  function membership(personId: number, unitId: number | null): Membership | null {
    if (unitId) {
      const m = units[unitId]?.members.find((x) => x.person_id === personId)
      if (m) return m
      const own = people[personId]?.memberships.find((x) => x.unit_id === unitId)
      if (own) return own
    }
    return null
  }

  /** Loads the cards of these (unit, person) pairs: the units, then the people not among them. */
  async function ensure(pairs: { unit_id: number | null; person_id: number | null }[]): Promise<void> {
    await Promise.all([...new Set(pairs.map((p) => p.unit_id).filter((x): x is number => !!x))].map(loadUnit))
    const missing = pairs.filter((p) => p.person_id && !membership(p.person_id, p.unit_id)).map((p) => p.person_id as number)
    await Promise.all([...new Set(missing)].map(loadPerson))
  }

  function unitName(id: number | null): string {
    if (!id) return ''
    const e = units[id]
    if (e === null) return `#${id}`
    return e ? localName(e.unit) : ''
  }

  function personName(personId: number | null, unitId: number | null = null): string {
    if (!personId) return ''
    const m = membership(personId, unitId)
    if (m) return m.person_name
    const p = people[personId]
    if (p === null) return `#${personId}`
    return p?.name ?? ''
  }

  function postName(m: Membership | null): string {
    return m ? localName({ name: m.post_name, name_en: m.post_name_en }) : ''
  }

  return { units, people, loadUnit, loadPerson, ensure, membership, unitName, personName, postName }
}

export type OrgDirectory = ReturnType<typeof useOrgDirectory>
