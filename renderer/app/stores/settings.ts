/** Connection settings as the form edits them; only non-secret fields are remembered. */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ConnectionSettings } from '../../core/settings'
import { initialServerUrl } from '../holdfast-app'

const KEY = 'holdfast.settings'

interface Saved {
  serverUrl?: string
  iceServers?: string
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
  const iceServers = ref(saved.iceServers ?? '')

  /** The settings as the session core takes them. */
  function snapshot(): ConnectionSettings {
    return {
      serverUrl: serverUrl.value,
      apiSecret: apiSecret.value,
      token: token.value,
      iceServers: iceServers.value,
    }
  }

  /** Remembers the server and ICE servers; secrets stay in memory in the web build. */
  function remember(): void {
    window.localStorage.setItem(
      KEY,
      JSON.stringify({ serverUrl: serverUrl.value, iceServers: iceServers.value }),
    )
  }

  return { serverUrl, apiSecret, token, iceServers, snapshot, remember }
})
