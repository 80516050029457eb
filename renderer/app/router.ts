/**
 * The app's screens (issue 11). vue-router is Vue's own router: typed routes, nested routes
 * for the Settings sections, and a hash history that works the same from the web server, a
 * `file://` page and a custom scheme, so the desktop and web builds share one URL scheme.
 */
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import PhoneScreen from './screens/PhoneScreen.vue'
import MeetingsScreen from './screens/MeetingsScreen.vue'
import HistoryScreen from './screens/HistoryScreen.vue'
import ContactsScreen from './screens/ContactsScreen.vue'
import MessagesScreen from './screens/MessagesScreen.vue'
import SettingsScreen from './screens/SettingsScreen.vue'
import SetupScreen from './screens/SetupScreen.vue'
import ServerSettings from './screens/settings/ServerSettings.vue'
import AccountSettings from './screens/settings/AccountSettings.vue'
import MediaSettings from './screens/settings/MediaSettings.vue'
import UpdateSettings from './screens/settings/UpdateSettings.vue'
import AdvancedSettings from './screens/settings/AdvancedSettings.vue'

/** The Settings sections, in the order their tabs show. */
export const settingsSections = [
  { path: 'server', title: 'Server', component: ServerSettings },
  { path: 'accounts', title: 'Accounts', component: AccountSettings },
  { path: 'media', title: 'Audio and video', component: MediaSettings },
  { path: 'updates', title: 'Updates', component: UpdateSettings },
  { path: 'advanced', title: 'Advanced', component: AdvancedSettings },
] as const

/** The screens the navigation lists. */
export const screens = [
  { path: '/phone', title: 'Phone' },
  { path: '/meetings', title: 'Meetings' },
  { path: '/history', title: 'History' },
  { path: '/messages', title: 'Messages' },
  { path: '/contacts', title: 'Contacts' },
  { path: '/settings', title: 'Settings' },
] as const

/** The router; `wantsSetup` decides where the app opens. */
export function createAppRouter(wantsSetup: () => boolean) {
  const routes: RouteRecordRaw[] = [
    { path: '/', redirect: () => (wantsSetup() ? '/setup' : '/phone') },
    { path: '/setup', component: SetupScreen, meta: { title: 'Set up Holdfast' } },
    { path: '/phone', component: PhoneScreen, meta: { title: 'Phone' } },
    { path: '/meetings', component: MeetingsScreen, meta: { title: 'Meetings' } },
    { path: '/history', component: HistoryScreen, meta: { title: 'History' } },
    { path: '/messages', component: MessagesScreen, meta: { title: 'Messages' } },
    { path: '/contacts', component: ContactsScreen, meta: { title: 'Contacts' } },
    {
      path: '/settings',
      component: SettingsScreen,
      redirect: '/settings/server',
      children: settingsSections.map((s) => ({
        path: s.path,
        component: s.component,
        meta: { title: `Settings: ${s.title}` },
      })),
    },
    { path: '/:unknown(.*)*', redirect: '/phone' },
  ]
  const router = createRouter({ history: createWebHashHistory(), routes })
  router.afterEach((to) => {
    const title = typeof to.meta.title === 'string' ? to.meta.title : undefined
    document.title = title ? `${title} · Holdfast` : 'Holdfast'
  })
  return router
}
