/** The softphone as the UI sees it: account form, registration, the call, and call history. */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import {
  callEffects,
  missedWhileBusy,
  missedWhileDoNotDisturb,
  missedWhileAway,
  remember,
  unseenMissed as countUnseenMissed,
  type HistoryEntry,
} from '../../core/sip/call-effects'
import {
  isLiveCall,
  describeCall,
  describeRegistration,
  type CallState,
  type RegistrationState,
} from '../../core/sip/sip-state'
import { attendedTransferPair, mergeable } from '../../core/sip/call-lines'
import type { CallStats } from '../../janus/media'
import { describeVoicemail, type VoicemailState } from '../../core/sip/voicemail'
import { judgeQuality, type CallQuality } from '../../core/ui/call-quality'
import type { LineSummary, SipPhone } from '../../janus/sip-phone'
import { readDialLink } from '../../core/sip/dial-link'
import { isElectronHost } from '../../host/electron-host'
import type { HoldfastApp } from '../holdfast-app'
import { TonePlayer, type Sound } from '../tones'
import { useContactsStore } from './contacts'
import { useAccountsStore } from './accounts'
import { useDevicesStore } from './devices'
import { useMessagesStore } from './messages'
import { readLocalJson, writeLocalJson } from './local-json'

const HISTORY_KEY = 'holdfast.call-history'
const SEEN_KEY = 'holdfast.history-seen-at'
const DND_KEY = 'holdfast.do-not-disturb'

export type { HistoryEntry } from '../../core/sip/call-effects'

export const usePhoneStore = defineStore('phone', () => {
  const accounts = useAccountsStore()
  /** Tones the other side sent during this call. */
  const tonesReceived = ref('')
  /** What the dialer shows; a tel:/sip: link (?dial= or from the desktop app) fills it in. */
  const linked = readDialLink(new URLSearchParams(window.location.search).get('dial') ?? '')
  const dialTarget = ref(linked?.ok ? linked.target : '')
  const registration = shallowRef<RegistrationState>({ kind: 'unregistered' })
  /** The call in front: the call screen shows it and its keys act on it. */
  const call = shallowRef<CallState>({ kind: 'idle' })
  /** Every line of the account with its call (call waiting: more than one under way). */
  const lines = shallowRef<readonly LineSummary[]>([])
  /** The line of the call in front. */
  const frontLine = computed(() => lines.value.find((l) => l.focused)?.id ?? 0)
  /** The calls under way, in line order (the list the call screen shows with two or more). */
  const liveLines = computed(() => lines.value.filter((l) => isLiveCall(l.call)))
  /** A second call ringing while another is under way. */
  const waiting = computed(() => lines.value.find((l) => l.waiting))
  /** The calls merged into a three-way call (none, or two). */
  const conference = computed(() => lines.value.filter((l) => l.merged))
  /** The lines as the pure call-lines core reads them. */
  const linesState = computed(() => ({ lines: lines.value, focus: frontLine.value }))
  /** Two answered calls, not merged yet: Merge calls. */
  const canMerge = computed(
    () => conference.value.length === 0 && mergeable(linesState.value) !== undefined,
  )
  /** The held call and the one in front of an attended transfer (Transfer … to …). */
  const transferPair = computed(() => attendedTransferPair(linesState.value))
  /** What the other call of a three-way call says (heard beside the call in front). */
  const conferenceAudio = shallowRef<MediaStream | undefined>()
  /** Another call may be placed: none is under way, or the one in front is on hold. */
  const canDial = computed(
    () =>
      registration.value.kind === 'registered' &&
      (!isLiveCall(call.value) || (call.value.kind === 'active' && call.value.onHold)),
  )
  /** The call in front is answered and a line is left for one more (Add call). */
  const canAddCall = computed(
    () =>
      registration.value.kind === 'registered' &&
      call.value.kind === 'active' &&
      liveLines.value.length < lines.value.length,
  )
  const remoteStream = shallowRef<MediaStream | undefined>()
  /** The other side sends video. */
  const remoteVideo = ref(false)
  const devices = useDevicesStore()
  const mediaPreferences = () => ({
    audioInput: devices.audioInput || undefined,
    video: devices.video,
  })
  // A microphone chosen during a call is switched to at once.
  watch(
    () => devices.audioInput,
    (id) => {
      if (call.value.kind === 'active') void phone?.switchMicrophone(id || undefined)
    },
  )
  const stats = shallowRef<CallStats | undefined>()
  /** The call's quality over the last stats interval. */
  const quality = shallowRef<CallQuality | undefined>()
  /** The call's media is being recovered. */
  const recovering = ref(false)
  const error = ref<string | undefined>(linked?.ok === false ? linked.reason : undefined)
  /** What happened to the call beyond its state, e.g. who transferred us. */
  const notice = ref<string | undefined>()
  const muted = ref(false)
  /** Our camera is off in this video call. */
  const cameraOff = ref(false)
  /** We send video in this call. */
  const sendingVideo = ref(false)
  const tones = new TonePlayer()
  /** What the phone is sounding now (ringtone, the dropped-call cue). */
  const sound = ref<Sound | undefined>()
  /** Every cue sounded since the page opened, newest last. */
  const cues = ref<Sound[]>([])
  tones.onChange((playing) => {
    sound.value = playing
    if (playing) cues.value = [...cues.value, playing]
  })
  const history = ref<HistoryEntry[]>(readLocalJson<HistoryEntry[]>(HISTORY_KEY, []))
  let app: HoldfastApp | undefined
  let phone: SipPhone | undefined

  /** Missed calls not yet seen on the History screen. */
  const unseenMissed = computed(() => countUnseenMissed(history.value, seenAt.value))
  const seenAt = ref(readLocalJson<number>(SEEN_KEY, 0))
  /** Do not disturb: incoming calls are answered busy and kept in History as missed. */
  const doNotDisturb = ref(readLocalJson<boolean>(DND_KEY, false) === true)

  function setDoNotDisturb(on: boolean): void {
    doNotDisturb.value = on
    writeLocalJson(DND_KEY, on)
    phone?.setDoNotDisturb(on)
    app?.setDoNotDisturb(on)
  }
  /** The History screen was opened: the missed calls so far are seen. */
  function markHistorySeen(): void {
    seenAt.value = Date.now()
    writeLocalJson(SEEN_KEY, seenAt.value)
  }
  /** Forgets the call history. */
  function clearHistory(): void {
    history.value = []
    writeLocalJson(HISTORY_KEY, history.value)
  }
  const registrationText = computed(() => describeRegistration(registration.value))
  /** The voicemail box, as far as the server said. */
  const voicemail = shallowRef<VoicemailState>({ kind: 'off' })
  const voicemailText = computed(() => describeVoicemail(voicemail.value))
  const callText = computed(() => {
    const merged = conference.value.filter((l) => 'peer' in l.call)
    if (merged.length < 2) return describeCall(call.value)
    const peers = merged.map((l) => ('peer' in l.call ? l.call.peer : ''))
    return `Three-way call with ${peers.join(' and ')}`
  })

  function attach(holdfast: HoldfastApp): void {
    app = holdfast
    holdfast.setDoNotDisturb(doNotDisturb.value)
    // In the desktop app the password lives encrypted in main (safeStorage); never in localStorage.
    const host = holdfast.host
    if (isElectronHost(host)) {
      // The desktop app may play sound without a gesture: the phone can ring from the start.
      tones.unlock()
      host.desktop.onDial((link) => {
        if ('target' in link) dialTarget.value = link.target
        else error.value = link.refused
      })
      host.desktop.onCallAction((action) => void (action === 'answer' ? answer() : decline()))
      // With its password in the vault, the active account registers on start.
      void accounts.useVault(host.desktop).then((ready) => {
        if (ready && accounts.hasActive) void register()
      })
    }
  }

  function keep(entry: HistoryEntry): void {
    history.value = remember(history.value, entry)
    writeLocalJson(HISTORY_KEY, history.value)
  }

  async function register(): Promise<void> {
    error.value = undefined
    // A user gesture: the moment the browser lets the ringtone play later.
    tones.unlock()
    if (!app) return
    app.note(`phone: register (${registration.value.kind})`)
    const account = accounts.save()
    if (typeof account === 'string') {
      error.value = account
      return
    }
    // A phone ended by a disconnect lived on a session that is gone: make a new one.
    if (phone && !phone.stopped) {
      await phone.register(account)
      return
    }
    try {
      phone = app.createSipPhone(account)
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
      return
    }
    useMessagesStore().listen(phone)
    phone.voicemail.events.on('voicemail', (v) => (voicemail.value = v))
    phone.events.on('registration', (r) => {
      // Each change in the log, with its words: a registration that takes long says where.
      if (r.kind !== registration.value.kind)
        app?.note(`phone: registration ${registration.value.kind} → ${describeRegistration(r)}`)
      registration.value = r
    })
    phone.events.on('remoteStream', (s) => {
      remoteStream.value = s
      remoteVideo.value = (s?.getVideoTracks().length ?? 0) > 0
    })
    phone.events.on('stats', (s) => {
      const sample = (c: CallStats) => ({
        packetsReceived: c.audioPacketsReceived,
        packetsLost: c.audioPacketsLost ?? 0,
        ...(c.jitterMs !== undefined ? { jitterMs: c.jitterMs } : {}),
        ...(c.roundTripMs !== undefined ? { roundTripMs: c.roundTripMs } : {}),
      })
      quality.value = judgeQuality(stats.value && sample(stats.value), sample(s))
      stats.value = s
    })
    phone.events.on('recovering', (on) => (recovering.value = on))
    phone.events.on('error', (m) => (error.value = m))
    phone.events.on('dtmf', (digit) => (tonesReceived.value += digit))
    phone.events.on('missed', (peer) => keep(missedWhileBusy(peer, Date.now())))
    phone.events.on('declinedQuietly', (peer) => keep(missedWhileDoNotDisturb(peer, Date.now())))
    phone.events.on('missedWhileAway', () => keep(missedWhileAway(Date.now())))
    phone.setDoNotDisturb(doNotDisturb.value)
    phone.events.on('muted', (m) => (muted.value = m))
    phone.events.on('cameraOff', (off) => (cameraOff.value = off))
    phone.events.on('sendingVideo', (on) => (sendingVideo.value = on))
    phone.events.on('replaced', ({ was, now }) => {
      notice.value = `${was} put ${now} through to you`
    })
    phone.events.on('transferred', ({ to, by, attended }) => {
      const how = attended ? ', who spoke to them first' : ''
      notice.value = `Transferred${by ? ` by ${by}${how}` : ''}: calling ${to}`
    })
    phone.events.on('lines', (l) => (lines.value = l))
    phone.events.on('conferenceAudio', (stream) => (conferenceAudio.value = stream))
    phone.events.on('lineCall', ({ id, previous, next }) => {
      app?.note(`phone: line ${id + 1} ${previous.kind} → ${next.kind}`)
      const effects = callEffects(previous, next)
      // One sound for all lines: the ringtone when a call rings alone, the soft cue for a call
      // waiting, the dropped cue when a call drops; silence once nothing rings.
      const ringing = phone?.ringing
      if (ringing === 'ring') tones.ring()
      else if (ringing === 'waiting') tones.waiting()
      else if (effects.sound === 'dropped') tones.dropped()
      else if (tones.playing === 'ringtone' || tones.playing === 'call-waiting') tones.stop()
      const desktop = app && isElectronHost(app.host) ? app.host.desktop : undefined
      if (effects.notify !== undefined) {
        // The notification names a known caller, as the call screen does (main takes ≤ 512).
        const name = useContactsStore().nameFor(effects.notify)
        const who = name ? `${name} (${effects.notify})` : effects.notify
        void desktop?.notifyIncomingCall(who.slice(0, 512))
      }
      if (effects.dismiss) void desktop?.dismissIncomingCall()
      if (effects.history) keep(effects.history)
    })
    phone.events.on('call', (c) => {
      if (c.kind !== 'active') tonesReceived.value = c.kind === 'ended' ? tonesReceived.value : ''
      call.value = c
      if (!isLiveCall(c)) {
        recovering.value = false
        quality.value = undefined
        stats.value = undefined
      }
      // Device names become visible once the microphone is allowed.
      if (c.kind === 'active') void devices.refresh()
      if (c.kind === 'calling' || c.kind === 'ringing') error.value = undefined
    })
    await phone.start()
  }

  /** Answers a call ringing in (the one named, or the one in front); others go on hold. */
  function answer(line?: number): Promise<void> | undefined {
    return phone?.answer(mediaPreferences(), line)
  }
  /** Declines a call ringing in; `busy` answers 486 (the caller hears busy). */
  function decline(line?: number, busy = false): Promise<void> | undefined {
    return phone?.decline(line, busy)
  }
  /** Brings another call to the front: the one in front goes on hold. */
  const switchTo = (line: number) => phone?.switchTo(line)
  const dial = (target: string) => {
    notice.value = undefined
    // The log says every dial and what the phone was doing (a Call that seemed to do nothing
    // was seen once in the soak, with nothing in the log to tell why).
    app?.note(
      `phone: dial ${target} (${phone ? registration.value.kind : 'no phone'}, front ${call.value.kind})`,
    )
    if (!phone) {
      error.value = 'Register your phone account first'
      return
    }
    return phone.dial(target, undefined, mediaPreferences())
  }
  const transfer = (target: string) => phone?.transfer(target)
  /** A three-way call of the two answered calls, and back to one call at a time. */
  const merge = () => phone?.merge()
  const split = () => phone?.split()
  /** Attended transfer: the held call's party is put through to the consulted one. */
  const transferToCall = (heldLine: number, consultLine: number) =>
    phone?.transferToCall(heldLine, consultLine)
  const toggleMute = () => phone?.setMuted(!muted.value)
  const toggleCamera = () => phone?.setCameraOff(!cameraOff.value)
  /** A dial-pad key: a tone during a call, otherwise a digit of the number to dial. */
  const press = (digit: string) => {
    if (call.value.kind === 'active') return phone?.sendDtmf(digit)
    dialTarget.value += digit
  }
  /** Hangs up the call in front, or the line named. */
  const hangup = (line?: number) => phone?.hangup(line)
  /** Calls the account's voicemail number. */
  const callVoicemail = () => {
    const number = phone?.account.voicemail
    return number ? dial(number) : undefined
  }
  const hold = (on: boolean) => phone?.hold(on)

  return {
    tonesReceived,
    dialTarget,
    registration,
    call,
    lines,
    frontLine,
    liveLines,
    waiting,
    canDial,
    canAddCall,
    switchTo,
    remoteStream,
    remoteVideo,
    stats,
    quality,
    recovering,
    error,
    notice,
    muted,
    cameraOff,
    sendingVideo,
    sound,
    cues,
    history,
    doNotDisturb,
    setDoNotDisturb,
    unseenMissed,
    markHistorySeen,
    clearHistory,
    registrationText,
    callText,
    voicemail,
    voicemailText,
    callVoicemail,
    attach,
    register,
    dial,
    answer,
    decline,
    hangup,
    hold,
    transfer,
    transferToCall,
    conference,
    canMerge,
    transferPair,
    conferenceAudio,
    merge,
    split,
    toggleMute,
    toggleCamera,
    press,
  }
})
