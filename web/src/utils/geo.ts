// The base map's shapes: the boundaries of the units the user may see, from GET /org/units.
import { ref } from 'vue'
import { fetchAll } from '../api/client'
import type { GeoPolygon, Unit, UnitKind } from '../api/types'
import { localName } from '../i18n'
import { can } from '../session'

export interface MapShape {
  geometry: GeoPolygon
  label?: string
  /** `focus` draws the shape that contains the problem more strongly. */
  kind?: 'area' | 'focus'
}

export interface MapMarker {
  lat: number
  lng: number
  label?: string
  color?: string
}

type Ring = [number, number][]

function rings(g: GeoPolygon | null | undefined): Ring[] {
  if (!g || g.type !== 'Polygon' || !Array.isArray(g.coordinates)) return []
  return g.coordinates as Ring[]
}

/** Whether (lat, lng) lies inside the polygon (outer ring minus holes; ray casting). */
export function contains(g: GeoPolygon | null | undefined, lat: number, lng: number): boolean {
  const rs = rings(g)
  if (!rs.length) return false
  const inRing = (ring: Ring): boolean => {
    let inside = false
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]
      const [xj, yj] = ring[j]
      if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
    }
    return inside
  }
  return inRing(rs[0]) && !rs.slice(1).some(inRing)
}

/** The average of the outer ring's corners: a point inside any convex demo boundary. */
export function centre(g: GeoPolygon | null | undefined): { lat: number; lng: number } | null {
  const ring = rings(g)[0]
  if (!ring || ring.length < 3) return null
  const pts = ring.slice(0, -1)
  const lng = pts.reduce((a, p) => a + p[0], 0) / pts.length
  const lat = pts.reduce((a, p) => a + p[1], 0) / pts.length
  return { lat: Number(lat.toFixed(6)), lng: Number(lng.toFixed(6)) }
}

export function shapesOf(units: Unit[], focus?: { lat: number; lng: number } | null): MapShape[] {
  return units
    .filter((u) => u.boundary)
    .map((u) => ({
      geometry: u.boundary!,
      label: localName(u),
      kind: focus && contains(u.boundary, focus.lat, focus.lng) ? ('focus' as const) : ('area' as const),
    }))
}

const cache = new Map<string, Promise<Unit[]>>()
function unitsOfKind(kind: UnitKind): Promise<Unit[]> {
  let p = cache.get(kind)
  if (!p) {
    p = fetchAll<Unit>('/org/units', { kind }, 5).then(
      (us) => us.filter((u) => !u.retired && u.boundary),
      () => {
        cache.delete(kind)
        return []
      },
    )
    cache.set(kind, p)
  }
  return p
}

/**
 * The base map for the signed-in user: the subdistricts they can see, else their communities,
 * else their grids (a grid worker sees only their own grid). Users without org.read (citizens)
 * get an empty base map and pick the point on the plain background.
 */
export function useBaseMap() {
  const units = ref<Unit[]>([])
  const loading = ref(false)
  async function load(): Promise<void> {
    if (!can('org.read')) return
    loading.value = true
    try {
      const kinds: UnitKind[] = ['subdistrict', 'community', 'grid']
      for (let i = 0; i < kinds.length; i++) {
        const found = await unitsOfKind(kinds[i])
        if (!found.length) continue
        // One or two places only (a subdistrict's operator): show what lies inside them too.
        const inner = found.length <= 2 && i + 1 < kinds.length ? await unitsOfKind(kinds[i + 1]) : []
        units.value = [...found, ...inner]
        break
      }
    } finally {
      loading.value = false
    }
  }
  void load()
  return { units, loading }
}
