// Where the organisation tree starts for the signed-in user.
import { orgApi } from '../api/org'
import type { Unit } from '../api/types'
import { localName } from '../i18n'
import type { TreeNodeData } from 'element-plus'

/**
 * Users who can see the HQ start from the top of its tree (the HQ, or its topmost ancestor) and
 * any other parentless unit. Scoped users (a subdistrict's operator, say) start from the units of
 * GET /org/units whose parent is not in what they can see: the tops of their own subtrees.
 */
export async function loadTreeRoots(): Promise<Unit[]> {
  const page = await orgApi.units({ limit: 200 }, { silent: true })
  const listed = page.items.filter((u) => !u.retired)
  const parentless = listed.filter((u) => u.parent_id === null)

  let top: Unit | null = null
  try {
    const structure = await orgApi.structure({ silent: true, noAuthRedirect: false })
    const detail = await orgApi.unit(structure.hq.id, { silent: true })
    top = detail.ancestors[0] ?? detail.unit
  } catch {
    top = null
  }

  let roots: Unit[]
  if (top) {
    roots = [top, ...parentless.filter((u) => u.id !== top!.id)]
  } else if (parentless.length) {
    roots = parentless
  } else {
    const ids = new Set(listed.map((u) => u.id))
    roots = listed.filter((u) => u.parent_id !== null && !ids.has(u.parent_id))
  }
  return roots.sort((a, b) => (a.id === top?.id ? -1 : b.id === top?.id ? 1 : a.sort_order - b.sort_order || a.id - b.id))
}

/** el-tree / el-tree-select props for Unit nodes (the tree's own typing knows only TreeNodeData). */
export const treeProps = {
  label: (data: TreeNodeData) => localName(data as unknown as Unit),
  isLeaf: (data: TreeNodeData) => (data as unknown as Unit).child_count === 0,
  children: 'children',
}

/** The part of el-tree's lazy Node the pages use. */
export interface LazyNode {
  level: number
  data: TreeNodeData
}

export async function loadChildren(parentId: number): Promise<Unit[]> {
  const children = await orgApi.allChildren(parentId)
  return children.filter((u) => !u.retired)
}
