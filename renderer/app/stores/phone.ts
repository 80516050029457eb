/** The softphone as the UI sees it: account form, registration, the call, and call history. */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import {
  describeCall,
  describeEnd,
  describeRegistration,
  type CallState,
  type RegistrationState,
} from '../../core/sip/sip-state'
import type { CallStats } from '../../janus/media'
import type { SipAccount, SipPhone } from '../../janus/sip-phone'
import { parseDialLink } from '../../core/sip/dial-link'
import { isElectronHost } from '../../host/electron-host'
import type { HoldfastApp } from '../holdfast-app'
import { TonePlayer, type Sound } from '../tones'

const ACCOUNT_KEY = 'holdfast.sip-account'
const HISTORY_KEY = 'holdfast.call-history'

/** One line of call history. */
export interface HistoryEntry {
  peer: string
  direction: 'outgoing' | 'incoming'
  start: number
  durationMs: number
  outcome: string
}

function readJson<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(window.localStorage.getItem(key) ?? 'null') as T | null) ?? fallback
  } catch {
    return fallback
  }
}

export const usePhoneStore = defineStore('phone', () => {
  const saved = readJson<Partial<SipAccount>>(ACCOUNT_KEY, {})
  const uri = ref(saved.uri ?? '')
  const registrar = ref(saved.registrar ?? '')
  const displayName = ref(saved.displayName ?? '')
  const dtmfMode = ref<'rfc2833' | 'info'>(saved.dtmfMode === 'info' ? 'info' : 'rfc2833')
  /** Tones the other side sent during this call. */
  const tonesReceived = ref('')
  /** What the dialer shows; a tel:/sip: link (?dial= or from the desktop app) fills it in. */
  const dialTarget = ref(
    parseDialLink(new URLSearchParams(window.location.search).get('dial') ?? '') ?? '',
  )
  // The password is never written to localStorage.
  const password = ref('')
  const registration = shallowRef<RegistrationState>({ kind: 'unregistered' })
  const call = shallowRef<CallState>({ kind: 'idle' })
  const remoteStream = shallowRef<MediaStream | undefined>()
  const stats = shallowRef<CallStats | undefined>()
  const error = ref<string | undefined>()
  /** What happened to the call beyond its state, e.g. who transferred us. */
  const notice = ref<string | undefined>()
  const muted = ref(false)
  const tones = new TonePlayer()
  /** What the phone is sounding now (ringtone, the dropped-call cue). */
  const sound = ref<Sound | undefined>()
  /** Every cue sounded since the page opened, newest last. */
  const cues = ref<Sound[]>([])
  tones.onChange((playing) => {
    sound.value = playing
    if (playing) cues.value = [...cues.value, playing]
  })
  const history = ref<HistoryEntry[]>(readJson<HistoryEntry[]>(HISTORY_KEY, []))
  let app: HoldfastApp | undefined
  let phone: SipPhone | undefined

  const registrationText = computed(() => describeRegistration(registration.value))
  const callText = computed(() => describeCall(call.value))

  function attach(holdfast: HoldfastApp): void {
    app = holdfast
    // In the desktop app the password lives encrypted in main (safeStorage); never in localStorage.
    const host = holdfast.host
    if (isElectronHost(host)) {
      host.desktop.onDial((target) => (dialTarget.value = target))
      host.desktop.onCallAction((action) => void (action === 'answer' ? answer() : decline()))
      void host.desktop.getSecret('sipPassword').then((stored) => {
        if (stored !== undefined && password.value === '') password.value = stored
      })
    }
  }

  function remember(entry: HistoryEntry): void {
    history.value = [entry, ...history.value].slice(0, 100)
    window.localStorage.setItem(HISTORY_KEY, JSON.stringify(history.value))
  }

  async function register(): Promise<void> {
    error.value = undefined
    // A user gesture: the moment the browser lets the ringtone play later.
    tones.unlock()
    if (!app) return
    const account: SipAccount = {
      uri: uri.value.trim(),
      registrar: registrar.value.trim(),
      password: password.value,
      displayName: displayName.value,
      dtmfMode: dtmfMode.value,
    }
    if (!/^sips?:[^@\s]+@[^@\s]+$/i.test(account.uri)) {
      error.value = 'Enter your SIP address as sip:user@domain.'
      return
    }
    if (!/^sips?:\S+$/i.test(account.registrar)) {
      error.value = 'Enter the registrar as sip:host or sip:host:port.'
      return
    }
    window.localStorage.setItem(
      ACCOUNT_KEY,
      JSON.stringify({
        uri: account.uri,
        registrar: account.registrar,
        displayName: account.displayName,
        dtmfMode: account.dtmfMode,
      }),
    )
    if (app && isElectronHost(app.host))
      void app.host.desktop.setSecret('sipPassword', account.password)
    if (phone) {
      await phone.register(account)
      return
    }
    try {
      phone = app.createSipPhone(account)
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
      return
    }
    phone.events.on('registration', (r) => (registration.value = r))
    phone.events.on('remoteStream', (s) => (remoteStream.value = s))
    phone.events.on('stats', (s) => (stats.value = s))
    phone.events.on('error', (m) => (error.value = m))
    phone.events.on('dtmf', (digit) => (tonesReceived.value += digit))
    phone.events.on('missed', (peer) =>
      remember({
        peer,
        direction: 'incoming',
        start: Date.now(),
        durationMs: 0,
        outcome: 'Missed call (you were in a call)',
      }),
    )
    phone.events.on('transferred', ({ to, by }) => {
      notice.value = `Transferred${by ? ` by ${by}` : ''}: calling ${to}`
    })
    phone.events.on('call', (c) => {
      const ringingIn = c.kind === 'ringing' && c.direction === 'incoming'
      const wasRingingIn = call.value.kind === 'ringing' && call.value.direction === 'incoming'
      if (ringingIn) tones.ring()
      else if (c.kind === 'ended' && c.reason === 'connection-lost') tones.dropped()
      else if (tones.playing === 'ringtone') tones.stop()
      const desktop = app && isElectronHost(app.host) ? app.host.desktop : undefined
      if (ringingIn && !wasRingingIn) void desktop?.notifyIncomingCall(c.peer)
      if (!ringingIn && wasRingingIn) void desktop?.dismissIncomingCall()
      if (c.kind !== 'active') tonesReceived.value = c.kind === 'ended' ? tonesReceived.value : ''
      call.value = c
      muted.value = phone?.isMuted ?? false
      if (c.kind === 'calling' || c.kind === 'ringing') error.value = undefined
      if (c.kind === 'ended') {
        remember({
          peer: c.peer,
          direction: c.direction,
          start: c.at - c.duration,
          durationMs: c.duration,
          outcome: describeEnd(c.reason),
        })
      }
    })
    await phone.start()
  }

  function answer(): Promise<void> | undefined {
    return phone?.answer()
  }
  function decline(): Promise<void> | undefined {
    return phone?.decline()
  }
  const dial = (target: string) => {
    notice.value = undefined
    return phone?.dial(target)
  }
  const transfer = (target: string) => phone?.transfer(target)
  const toggleMute = () => {
    phone?.mute(!muted.value)
    muted.value = phone?.isMuted ?? false
  }
  /** A dial-pad key: a tone during a call, otherwise a digit of the number to dial. */
  const press = (digit: string) => {
    if (call.value.kind === 'active') return phone?.sendDtmf(digit)
    dialTarget.value += digit
  }
  const hangup = () => phone?.hangup()
  const hold = (on: boolean) => phone?.hold(on)
  const sendDtmf = (digit: string) => phone?.sendDtmf(digit)

  return {
    uri,
    registrar,
    displayName,
    dtmfMode,
    tonesReceived,
    dialTarget,
    password,
    registration,
    call,
    remoteStream,
    stats,
    error,
    notice,
    muted,
    sound,
    cues,
    history,
    registrationText,
    callText,
    attach,
    register,
    dial,
    answer,
    decline,
    hangup,
    hold,
    sendDtmf,
    transfer,
    toggleMute,
    press,
  }
})
