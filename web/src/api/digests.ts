// Typed calls for the units' digests (工作提示, docs/api.md "Digests").
import { api } from './client'
import type { DigestHistory, DigestKind, DigestPreview } from './types'

export const digestsApi = {
  history: (unitId: number) => api.get<DigestHistory>('/digests', { unit_id: unitId }),
  preview: (unitId: number, kind: DigestKind) =>
    api.get<DigestPreview>('/digests/preview', { unit_id: unitId, kind }),
}
