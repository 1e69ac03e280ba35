// Whether the window is phone-narrow (under 768 px, the width where the shell moves its menu into
// a drawer). Pages with wide tables show cards instead, so that nothing scrolls sideways.
import { onBeforeUnmount, ref, type Ref } from 'vue'

export function usePhoneWidth(): Ref<boolean> {
  const query = window.matchMedia('(max-width: 767px)')
  const narrow = ref(query.matches)
  const onChange = (e: MediaQueryListEvent) => (narrow.value = e.matches)
  query.addEventListener('change', onChange)
  onBeforeUnmount(() => query.removeEventListener('change', onChange))
  return narrow
}
