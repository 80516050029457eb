/** Connection settings as the form edits them; only non-secret fields go to localStorage. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { isCleartextRemote, type ConnectionSettings } from '../../core/settings'
import type { HoldfastBridge } from '../../host/electron-host'
import { initialMoreServers, initialServerUrl, initialTokenUrl } from '../holdfast-app'

const KEY = 'holdfast.settings'

type DesktopSecrets = Pick<HoldfastBridge, 'secretsStatus' | 'getSecret' | 'setSecret'>

interface Saved {
  serverUrl?: string
  moreServers?: string
  tokenUrl?: string
  iceServers?: string
  forceMediaRestart?: boolean
  refuseCleartext?: boolean
}

function readSaved(): Saved {
  try {
    const value = JSON.parse(window.localStorage.getItem(KEY) ?? '{}') as unknown
    return typeof value === 'object' && value !== null ? (value as Saved) : {}
  } catch {
    return {}
  }
}

export const useSettingsStore = defineStore('settings', () => {
  const saved = readSaved()
  const serverUrl = ref(initialServerUrl(saved.serverUrl))
  const apiSecret = ref('')
  const token = ref('')
  /** Where a fresh token comes from when Janus refuses one (empty: none). */
  const tokenUrl = ref(initialTokenUrl(saved.tokenUrl))
  const iceServers = ref(saved.iceServers ?? '')
  /** Other servers for new sessions, one per line. */
  const moreServers = ref(initialMoreServers(saved.moreServers))
  /** Restart ICE after every reclaim, like OpenVidu's forceMediaReconnectionAfterNetworkDrop. */
  const forceMediaRestart = ref(saved.forceMediaRestart === true)
  /** Refuse ws:// to other computers instead of warning. */
  const refuseCleartext = ref(saved.refuseCleartext === true)
  /** The server URL would carry credentials in clear text over a network. */
  const cleartext = computed(() => isCleartextRemote(serverUrl.value))
  /** Why secrets are or are not kept across restarts. */
  const secretsNote = ref(
    'In the web build the secret and token are kept in memory only and forgotten on reload.',
  )
  let desktop: DesktopSecrets | undefined

  /** The settings as the session core takes them. */
  function snapshot(): ConnectionSettings {
    return {
      serverUrl: serverUrl.value,
      apiSecret: apiSecret.value,
      token: token.value,
      tokenUrl: tokenUrl.value,
      iceServers: iceServers.value,
      refuseCleartext: refuseCleartext.value,
      moreServers: moreServers.value,
    }
  }

  /** In the desktop app secrets live encrypted in main (safeStorage): load them. */
  async function useDesktopSecrets(bridge: DesktopSecrets): Promise<void> {
    desktop = bridge
    const status = await bridge.secretsStatus()
    secretsNote.value = status.persistent
      ? 'The secret and token are stored encrypted by the operating system.'
      : (status.reason ?? 'Secrets are kept in memory only.')
    if (!status.persistent) return
    apiSecret.value = (await bridge.getSecret('apiSecret')) ?? apiSecret.value
    token.value = (await bridge.getSecret('token')) ?? token.value
    // A saved secret the keyring would not decrypt is kept by main; say so.
    const after = await bridge.secretsStatus()
    if (after.unreadable?.length && after.reason) secretsNote.value = after.reason
  }

  /** Remembers the server and ICE servers; secrets only through the desktop vault. */
  function remember(): void {
    window.localStorage.setItem(
      KEY,
      JSON.stringify({
        serverUrl: serverUrl.value,
        iceServers: iceServers.value,
        moreServers: moreServers.value,
        tokenUrl: tokenUrl.value,
        forceMediaRestart: forceMediaRestart.value,
        refuseCleartext: refuseCleartext.value,
      }),
    )
    if (desktop) {
      void desktop.setSecret('apiSecret', apiSecret.value)
      void desktop.setSecret('token', token.value)
    }
  }

  return {
    serverUrl,
    apiSecret,
    token,
    tokenUrl,
    iceServers,
    moreServers,
    forceMediaRestart,
    refuseCleartext,
    cleartext,
    secretsNote,
    snapshot,
    useDesktopSecrets,
    remember,
  }
})
