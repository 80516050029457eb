import { createPinia } from 'pinia'
import { createApp, watch } from 'vue'
import App from './App.vue'
import { selectHost } from '../host/select-host'
import { isElectronHost } from '../host/electron-host'
import { HoldfastApp } from './holdfast-app'
import { createAppRouter } from './router'
import { useCallStore } from './stores/call'
import { useConnectionStore } from './stores/connection'
import { useDiagnosticsStore } from './stores/diagnostics'
import { usePhoneStore } from './stores/phone'
import { useRoomStore } from './stores/room'
import { useSettingsStore } from './stores/settings'
import { useShellStore } from './stores/shell'
import './styles.css'

// A file dropped on the window must not replace the app with itself (issue 12; main refuses
// the navigation too).
for (const type of ['dragover', 'drop'] as const)
  window.addEventListener(type, (event) => event.preventDefault())

const holdfast = new HoldfastApp(selectHost())
const app = createApp(App)
app.use(createPinia())
useConnectionStore().attach(holdfast)
useCallStore().attach(holdfast)
usePhoneStore().attach(holdfast)
useRoomStore().attach(holdfast)
useDiagnosticsStore().attach(holdfast)
const shell = useShellStore()
app.use(createAppRouter(() => shell.wantsSetup()))
app.mount('#app')

// Start as a person expects: connect to the configured server (claiming the session a
// reload left behind) without a click.
const settings = useSettingsStore()
// The media-restart setting reaches every kind of call through the app.
watch(
  () => settings.forceMediaRestart,
  (on) => holdfast.setForceMediaRestart(on),
  { immediate: true },
)
const host = holdfast.host
void (isElectronHost(host) ? settings.useDesktopSecrets(host.desktop) : Promise.resolve()).finally(
  () => useConnectionStore().connect(settings.snapshot()),
)
