/** The diagnostic report (Settings → Advanced): built from the stores and the renderer's log. */
import { defineStore } from 'pinia'
import { buildReport } from '../../core/ui/diagnostic-report'
import type { HoldfastApp } from '../holdfast-app'
import { useConnectionStore } from './connection'
import { usePhoneStore } from './phone'
import { useRoomStore } from './room'
import { useSettingsStore } from './settings'

export const useDiagnosticsStore = defineStore('diagnostics', () => {
  let app: HoldfastApp | undefined

  function attach(holdfast: HoldfastApp): void {
    app = holdfast
  }

  /** The report as text; it holds no secret (no API secret, token or password). */
  function report(): string {
    const connection = useConnectionStore()
    const phone = usePhoneStore()
    const room = useRoomStore()
    const settings = useSettingsStore()
    return buildReport(
      {
        app: 'Holdfast',
        userAgent: navigator.userAgent,
        connection: connection.statusText,
        ...(connection.sessionId !== undefined ? { sessionId: connection.sessionId } : {}),
        server: settings.serverUrl,
        handles: connection.handles.map((h) => `${h.plugin}#${h.id}`),
        registration: phone.registrationText,
        call: phone.callText,
        room: room.statusText,
      },
      [...connection.incidents],
      app?.log.lines() ?? [],
    )
  }

  return { attach, report }
})
