/** The echo call as the UI sees it. */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { describeEcho, isLiveEcho, type EchoCallState } from '../../core/echo/echo-state'
import type { EchoCall, EchoCallOptions } from '../../janus/echo-call'
import type { CallStats } from '../../janus/media'
import type { HoldfastApp } from '../holdfast-app'

export const useCallStore = defineStore('call', () => {
  const state = shallowRef<EchoCallState>({ kind: 'idle' })
  const statusText = computed(() => describeEcho(state.value))
  /** The call is under way (the buttons that start one are off). */
  const live = computed(() => isLiveEcho(state.value))
  const localStream = shallowRef<MediaStream | undefined>()
  const remoteStream = shallowRef<MediaStream | undefined>()
  const stats = shallowRef<CallStats | undefined>()
  const muted = ref(false)
  const error = ref<string | undefined>()
  let app: HoldfastApp | undefined
  let call: EchoCall | undefined

  function attach(holdfast: HoldfastApp): void {
    app = holdfast
  }

  async function start(options: EchoCallOptions): Promise<void> {
    error.value = undefined
    if (!app) return
    let next: EchoCall
    try {
      next = app.createEchoCall(options)
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
      return
    }
    call = next
    muted.value = next.muted
    stats.value = undefined
    next.events.on('state', (s) => {
      state.value = s
      if (s.kind === 'failed') error.value = s.message
    })
    next.events.on('muted', (m) => (muted.value = m))
    next.events.on('localStream', (s) => (localStream.value = s))
    next.events.on('remoteStream', (s) => (remoteStream.value = s))
    next.events.on('stats', (s) => (stats.value = s))
    await next.start()
  }

  function toggleMute(): void {
    call?.setMuted(!muted.value)
  }

  async function hangup(): Promise<void> {
    await call?.hangup()
    localStream.value = undefined
    remoteStream.value = undefined
  }

  return {
    state,
    statusText,
    live,
    localStream,
    remoteStream,
    stats,
    muted,
    error,
    attach,
    start,
    toggleMute,
    hangup,
  }
})
