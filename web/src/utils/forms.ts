import { reactive } from 'vue'
import { ApiError } from '../api/client'

/**
 * Server-side field errors for a form: when the API blames `details.field`, the message is shown
 * under the form item bound to `errors[field]` (el-form-item :error="errors.name").
 */
export function useFieldErrors() {
  const errors = reactive<Record<string, string>>({})
  function clear(): void {
    for (const k of Object.keys(errors)) delete errors[k]
  }
  /** Returns true if the error named a field (it is then shown on that field). */
  function apply(e: unknown): boolean {
    if (e instanceof ApiError && e.field) {
      errors[e.field] = e.message
      return true
    }
    return false
  }
  return { errors, clear, apply }
}
