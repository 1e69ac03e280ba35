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
    /** Roles that may open the page (user.role); any signed-in role when absent. */
    roles?: string[]
  }
}

const HQ = ['hq_admin', 'hq_staff']
const UNIT_SIDE = ['unit_operator', 'grid_worker']
const VERIFIERS = ['supervisor', 'hq_staff', 'hq_admin', 'task_force_member']
// Above the units: who reads meetings and their reports (units see their own action items in 我的待办).
const TENANT_STAFF = ['hq_admin', 'hq_staff', 'leader', 'supervisor', 'task_force_member']
const STAFF = ['hq_admin', 'hq_staff', 'leader', 'supervisor', 'task_force_member', 'unit_operator', 'grid_worker']

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/AppShell.vue'),
    children: [
      // The bare address: resolved in the guard below, once the session is known (a redirect
      // here would run before GET /auth/me on a fresh load and send everyone to /home).
      { path: '', name: 'root', component: () => import('./views/HomeView.vue') },
      { path: 'home', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'menu.home' } },
      { path: 'structure', name: 'structure', component: () => import('./views/StructureView.vue'), meta: { perm: 'org.read', title: 'menu.structure' } },
      { path: 'units', name: 'units', component: () => import('./views/UnitsView.vue'), meta: { perm: 'org.read', title: 'menu.units' } },
      { path: 'people', name: 'people', component: () => import('./views/PeopleView.vue'), meta: { perm: 'org.read', title: 'menu.people' } },
      { path: 'liaisons', name: 'liaisons', component: () => import('./views/LiaisonsView.vue'), meta: { perm: 'org.read', title: 'menu.liaisons' } },
      { path: 'users', name: 'users', component: () => import('./views/UsersView.vue'), meta: { perm: 'users.manage', title: 'menu.users' } },
      { path: 'ledger', name: 'ledger', component: () => import('./views/LedgerView.vue'), meta: { perm: 'ledger.read', title: 'menu.ledger' } },
      { path: 'report', name: 'report', component: () => import('./views/ReportView.vue'), meta: { title: 'menu.report' } },
      { path: 'triage', name: 'triage', component: () => import('./views/TriageView.vue'), meta: { roles: HQ, title: 'menu.triage' } },
      { path: 'inbox', name: 'inbox', component: () => import('./views/InboxView.vue'), meta: { roles: UNIT_SIDE, title: 'menu.inbox' } },
      { path: 'verify', name: 'verify', component: () => import('./views/VerifyView.vue'), meta: { roles: VERIFIERS, title: 'menu.verify' } },
      { path: 'cases', name: 'cases', component: () => import('./views/CasesView.vue'), meta: { title: 'menu.cases' } },
      { path: 'cases/:id(\\d+)', name: 'case', component: () => import('./views/CaseDetailView.vue'), props: true, meta: { title: 'caseDetail.title' } },
      { path: 'notices', name: 'notices', component: () => import('./views/NoticesView.vue'), meta: { roles: STAFF, title: 'menu.notices' } },
      { path: 'responsibility', name: 'responsibility', component: () => import('./views/ResponsibilityView.vue'), meta: { roles: STAFF, title: 'menu.responsibility' } },
      { path: 'places', name: 'places', component: () => import('./views/PlacesView.vue'), meta: { roles: STAFF, title: 'menu.places' } },
      { path: 'bulletins', name: 'bulletins', component: () => import('./views/BulletinListView.vue'), meta: { roles: STAFF, title: 'menu.bulletins' } },
      // The template: read with bulletins.draft, saved also with cases.configure (the page is read-only otherwise).
      { path: 'bulletins/template', name: 'bulletin-template', component: () => import('./views/BulletinTemplateView.vue'), meta: { perm: 'bulletins.draft', title: 'bulletinTemplate.title' } },
      { path: 'bulletins/:id(\\d+)', name: 'bulletin', component: () => import('./views/BulletinEditView.vue'), props: true, meta: { roles: STAFF, title: 'bulletins.editTitle' } },
      { path: 'dashboard', name: 'dashboard', component: () => import('./views/DashboardView.vue'), meta: { roles: STAFF, title: 'menu.dashboard' } },
      { path: 'ranking', name: 'ranking', component: () => import('./views/RankingView.vue'), meta: { roles: STAFF, title: 'menu.ranking' } },
      { path: 'meetings', name: 'meetings', component: () => import('./views/MeetingsView.vue'), meta: { roles: TENANT_STAFF, title: 'menu.meetings' } },
      { path: 'meetings/:id(\\d+)', name: 'meeting', component: () => import('./views/MeetingDetailView.vue'), props: true, meta: { roles: TENANT_STAFF, title: 'menu.meetings' } },
      { path: 'settings', redirect: '/settings/categories' },
      { path: 'settings/categories', name: 'settings-categories', component: () => import('./views/settings/CategoriesView.vue'), meta: { perm: 'cases.configure', title: 'menu.settingsCategories' } },
      { path: 'settings/routing', name: 'settings-routing', component: () => import('./views/settings/RoutingView.vue'), meta: { perm: 'cases.configure', title: 'menu.settingsRouting' } },
      { path: 'settings/calendar', name: 'settings-calendar', component: () => import('./views/settings/CalendarView.vue'), meta: { perm: 'cases.configure', title: 'menu.settingsCalendar' } },
      { path: 'settings/workflow', name: 'settings-workflow', component: () => import('./views/settings/WorkflowView.vue'), meta: { perm: 'cases.configure', title: 'menu.settingsWorkflow' } },
      { path: 'settings/webhooks', name: 'settings-webhooks', component: () => import('./views/settings/WebhooksView.vue'), meta: { perm: 'cases.configure', title: 'menu.settingsWebhooks' } },
      { path: 'settings/import', name: 'settings-import', component: () => import('./views/settings/ImportView.vue'), meta: { perm: 'cases.import', title: 'menu.settingsImport' } },
      { path: 'account', name: 'account', component: () => import('./views/AccountView.vue'), meta: { title: 'account.title' } },
      { path: 'forbidden', name: 'forbidden', component: () => import('./views/NotFoundView.vue'), props: { forbidden: true } },
    ],
  },
  // The command centre's big screen (1920×1080): the dashboard alone, no app chrome.
  { path: '/dashboard/screen', name: 'dashboard-screen', component: () => import('./views/DashboardView.vue'), props: { screen: true }, meta: { roles: STAFF, title: 'menu.dashboard' } },
  // The phone page of grid workers: its own narrow layout, no side menu.
  {
    path: '/m',
    component: () => import('./layouts/MobileShell.vue'),
    children: [{ path: '', name: 'mobile', component: () => import('./views/mobile/MobileView.vue'), meta: { title: 'mobile.title' } }],
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
  if (to.name === 'root') return homeRoute()
  if (to.meta.perm && !can(to.meta.perm)) return { name: 'forbidden' }
  if (to.meta.roles && !to.meta.roles.includes(session.user.role)) return { name: 'forbidden' }
  return true
})
