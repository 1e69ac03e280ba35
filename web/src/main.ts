import { createApp } from 'vue'
import { ElLoading } from 'element-plus'
// Styles of the Element Plus services used from script (the template components bring their own).
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import 'element-plus/es/components/loading/style/css'
import './styles/main.css'
import App from './App.vue'
import { i18n, currentLang } from './i18n'
import { router } from './router'
import { onUnauthorized } from './api/client'
import { clearSession } from './session'

onUnauthorized(() => {
  clearSession()
  const here = router.currentRoute.value
  if (here.name !== 'login') {
    router.replace({ name: 'login', query: here.fullPath !== '/' ? { redirect: here.fullPath } : {} })
  }
})

document.documentElement.lang = currentLang()

createApp(App).use(i18n).use(router).use(ElLoading).mount('#app')
