/**
 * The keyboard, app-wide (issue 11): the shortcuts table's actions carried out on the stores,
 * tones during a call, and dialling by typing on the Phone screen.
 */
import { onBeforeUnmount, onMounted } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { isLiveEcho } from '../core/echo/echo-state'
import { isLiveCall } from '../core/sip/sip-state'
import { isDialKey, shortcutFor, type ShortcutAction } from '../core/ui/shortcuts'
import { useCallStore } from './stores/call'
import { usePhoneStore } from './stores/phone'
import { useRoomStore } from './stores/room'
import { useShellStore } from './stores/shell'

/** Installs the app's key handler for the lifetime of the calling component. */
export function useShortcuts(): void {
  const phone = usePhoneStore()
  const room = useRoomStore()
  const echo = useCallStore()
  const shell = useShellStore()
  const router = useRouter()
  const route = useRoute()

  const incoming = (): boolean =>
    phone.call.kind === 'ringing' && phone.call.direction === 'incoming'

  const go = (path: string): void => {
    shell.leaveCallScreen()
    void router.push(path)
  }

  function act(action: ShortcutAction): boolean {
    switch (action) {
      case 'answer':
        if (!incoming()) return false
        void phone.answer()
        return true
      case 'decline':
        if (!incoming()) return false
        void phone.decline()
        return true
      case 'hangup':
        if (isLiveCall(phone.call)) void phone.hangup()
        else if (room.live) void room.leave()
        else if (isLiveEcho(echo.state)) void echo.hangup()
        else return false
        return true
      case 'mute':
        if (phone.call.kind === 'active') void phone.toggleMute()
        else if (room.live) void room.toggleMute()
        else if (isLiveEcho(echo.state)) echo.toggleMute()
        else return false
        return true
      case 'help':
        shell.helpOpen = true
        return true
      case 'phone':
        go('/phone')
        return true
      case 'meetings':
        go('/meetings')
        return true
      case 'history':
        go('/history')
        return true
      case 'contacts':
        go('/contacts')
        return true
      case 'settings':
        go('/settings')
        return true
    }
  }

  function onKey(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.isComposing) return
    const target = event.target as HTMLElement | null
    const typing = Boolean(
      target?.closest('input, textarea, select, [contenteditable="true"], [role="dialog"]'),
    )
    const action = shortcutFor(event, typing)
    if (action && act(action)) {
      event.preventDefault()
      return
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey || !isDialKey(event.key)) return
    // During a call the digits are tones; on the Phone screen they start the number to dial.
    if (phone.call.kind === 'active') {
      if (event.key === '+') return
      void phone.press(event.key)
      event.preventDefault()
    } else if (route.path === '/phone' && !isLiveCall(phone.call)) {
      phone.dialTarget += event.key
      document.getElementById('dial-target')?.focus()
      event.preventDefault()
    }
  }

  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
