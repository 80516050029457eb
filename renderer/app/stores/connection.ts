/** What the UI shows about the connection, kept in step with the session core's events. */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { describeConnection, type ConnectionState } from '../../core/connection-state'
import type { Incident } from '../../core/incident-log'
import type { ServerInfo } from '../../core/janus-protocol'
import type { JanusSession } from '../../core/janus-session'
import { SettingsError, type HoldfastApp } from '../holdfast-app'

export const useConnectionStore = defineStore('connection', () => {
  const state = shallowRef<ConnectionState>({ kind: 'idle' })
  const sessionId = ref<number | undefined>()
  const handles = ref<{ id: number; plugin: string }[]>([])
  const incidents = ref<Incident[]>([])
  const reconnects = ref(0)
  const queued = ref(0)
  const serverInfo = shallowRef<ServerInfo | undefined>()
  const keepaliveMs = ref<number | undefined>()
  const lastRecoveryMs = ref<number | undefined>()
  const settingsError = ref<string | undefined>()
  /** The server the session is on (the last connect's, or where the session moved). */
  const activeUrl = ref<string | undefined>()
  /** Where the session moved and why, when it had to leave its server (issue 14). */
  const movedNotice = ref<string | undefined>()
  let app: HoldfastApp | undefined
  let detach: (() => void)[] = []

  const statusText = computed(() => describeConnection(state.value))

  function refresh(session: JanusSession): void {
    state.value = session.state
    sessionId.value = session.id
    handles.value = session.listHandles()
    incidents.value = [...session.incidents.list()].reverse()
    queued.value = session.queuedCount
    serverInfo.value = session.info
    keepaliveMs.value = session.keepalive.intervalMs
  }

  function bind(session: JanusSession | undefined): void {
    for (const off of detach) off()
    detach = []
    reconnects.value = 0
    if (!session) return
    const update = (): void => refresh(session)
    detach.push(
      session.events.on('state', update),
      session.events.on('incident', update),
      session.events.on('change', update),
      session.events.on('serverChanged', ({ from, to, why }) => {
        activeUrl.value = to
        movedNotice.value = `Now on ${to}: ${from} could not be used (${why}).`
      }),
      session.events.on('reconnected', (e) => {
        reconnects.value += 1
        lastRecoveryMs.value = e.durationMs
        update()
      }),
    )
    update()
  }

  /** Wires the store to the app (once). */
  function attach(holdfast: HoldfastApp): void {
    app = holdfast
    app.onSession(bind)
    bind(app.session)
  }

  function connect(settings: Parameters<HoldfastApp['connect']>[0]): boolean {
    settingsError.value = undefined
    try {
      app?.connect(settings)
      activeUrl.value = settings.serverUrl
      movedNotice.value = undefined
      return true
    } catch (error) {
      settingsError.value = error instanceof SettingsError ? error.message : String(error)
      return false
    }
  }

  async function disconnect(): Promise<void> {
    await app?.disconnect()
  }

  return {
    state,
    sessionId,
    handles,
    incidents,
    reconnects,
    queued,
    serverInfo,
    keepaliveMs,
    lastRecoveryMs,
    settingsError,
    activeUrl,
    movedNotice,
    statusText,
    attach,
    connect,
    disconnect,
  }
})
