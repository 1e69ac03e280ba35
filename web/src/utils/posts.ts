import { ref } from 'vue'
import { loadPosts } from '../api/org'
import type { Membership, Post } from '../api/types'
import { currentLang } from '../i18n'

const posts = ref<Post[]>([])
let requested = false

/** Post names in the UI language: Membership carries post_name; Post (GET /org/posts) has name_en. */
export function usePosts() {
  if (!requested) {
    requested = true
    loadPosts().then(
      (p) => (posts.value = p),
      () => {
        requested = false
      },
    )
  }
  function postLabel(m: Pick<Membership, 'post_code' | 'post_name' | 'post_name_en'>): string {
    if (currentLang() === 'en') {
      if (m.post_name_en) return m.post_name_en
      const p = posts.value.find((x) => x.code === m.post_code)
      if (p?.name_en) return p.name_en
    }
    return m.post_name || m.post_code
  }
  return { posts, postLabel }
}
