import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { session, loadMe, can, homeRoute } from './session'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean
    /** Permission the user needs (from GET /auth/me `permissions`). */
    perm?: string
    /** i18n key of the page title. */
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/AppShell.vue'),
    children: [
      { path: '', name: 'root', redirect: () => homeRoute() },
      { path: 'home', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'menu.home' } },
      { path: 'structure', name: 'structure', component: () => import('./views/StructureView.vue'), meta: { perm: 'org.read', title: 'menu.structure' } },
      { path: 'units', name: 'units', component: () => import('./views/UnitsView.vue'), meta: { perm: 'org.read', title: 'menu.units' } },
      { path: 'people', name: 'people', component: () => import('./views/PeopleView.vue'), meta: { perm: 'org.read', title: 'menu.people' } },
      { path: 'liaisons', name: 'liaisons', component: () => import('./views/LiaisonsView.vue'), meta: { perm: 'org.read', title: 'menu.liaisons' } },
      { path: 'users', name: 'users', component: () => import('./views/UsersView.vue'), meta: { perm: 'users.manage', title: 'menu.users' } },
      { path: 'ledger', name: 'ledger', component: () => import('./views/LedgerView.vue'), meta: { perm: 'ledger.read', title: 'menu.ledger' } },
      { path: 'forbidden', name: 'forbidden', component: () => import('./views/NotFoundView.vue'), props: { forbidden: true } },
    ],
  },
  // Anything else: a page of its own, shown whether or not someone is signed in.
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { public: true } },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
})

router.beforeEach(async (to) => {
  if (!session.checked) await loadMe()
  if (to.name === 'login') {
    // Already signed in: go home rather than show the form again.
    return session.user ? homeRoute() : true
  }
  if (to.name === 'not-found') return true
  if (!session.user) {
    return { name: 'login', query: to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (to.meta.perm && !can(to.meta.perm)) return { name: 'forbidden' }
  return true
})
