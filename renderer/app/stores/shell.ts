/**
 * The app shell's own state (issue 11): whether first-run setup is wanted, whether the call
 * screen is set aside, the shortcuts sheet, and the "Reconnected" moment the banner shows.
 */
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { isLiveCall } from '../../core/sip/sip-state'
import { reconnectedBannerMs } from '../../core/ui/connection-banner'
import { useAccountsStore } from './accounts'
import { useConnectionStore } from './connection'
import { usePhoneStore } from './phone'
import { readLocalJson, writeLocalJson } from './local-json'

const SETUP_KEY = 'holdfast.setup-done'

export const useShellStore = defineStore('shell', () => {
  const accounts = useAccountsStore()
  const connection = useConnectionStore()
  /** Setup was finished or skipped once; it is not asked again. */
  const setupDone = ref(readLocalJson<boolean>(SETUP_KEY, false))
  /** The call screen is set aside to look at another screen (a bar leads back to it). */
  const callSetAside = ref(false)
  const helpOpen = ref(false)
  const justReconnected = ref(false)
  let flash: ReturnType<typeof setTimeout> | undefined

  watch(
    () => connection.reconnects,
    (count, before) => {
      if (count <= (before ?? 0)) return
      justReconnected.value = true
      clearTimeout(flash)
      flash = setTimeout(() => (justReconnected.value = false), reconnectedBannerMs)
    },
  )

  /** First run: nothing set up yet, and setup neither finished nor skipped. */
  function wantsSetup(): boolean {
    return !setupDone.value && accounts.list.length === 0
  }

  /** Another screen was asked for: a call up is set aside (the bar leads back to it). */
  function leaveCallScreen(): void {
    callSetAside.value = isLiveCall(usePhoneStore().call)
  }

  function finishSetup(): void {
    setupDone.value = true
    writeLocalJson(SETUP_KEY, true)
  }

  return {
    setupDone,
    callSetAside,
    helpOpen,
    justReconnected,
    wantsSetup,
    leaveCallScreen,
    finishSetup,
  }
})
