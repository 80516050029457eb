/** A video room as the UI sees it: where we are, the tiles, and who came and went. */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { RoomChange } from '../../core/room/room-changes'
import type { FeedId } from '../../core/room/videoroom-events'
import { describeRoom, emptyRoom, inRoom, type RoomState } from '../../core/room/room-state'
import { capturePreview, describeMediaError } from '../../janus/media'
import type { RoomCall, RoomOptions, RoomTile } from '../../janus/room-call'
import { readLocalJson, writeLocalJson } from './local-json'

const RECENT_KEY = 'holdfast.recent-rooms'

/** A room joined before, for "join again" (never its PIN). */
export interface RecentRoom {
  room: number
  display: string
  at: number
}

/** What the store needs of the app: a room call to join (the app's, or a test's). */
export interface RoomCalls {
  createRoomCall(options: RoomOptions): RoomCall
}

/** One line of the participant log. */
export interface RosterNote {
  at: number
  text: string
}

export const useRoomStore = defineStore('room', () => {
  const state = shallowRef<RoomState>(emptyRoom)
  const tiles = shallowRef<RoomTile[]>([])
  const localStream = shallowRef<MediaStream | undefined>()
  /** The screen we share, while sharing. */
  const localScreen = shallowRef<MediaStream | undefined>()
  /** The camera and microphone shown before joining. */
  const preview = shallowRef<MediaStream | undefined>()
  const muted = ref(false)
  const cameraOff = ref(false)
  const error = ref<string | undefined>()
  const notice = ref<string | undefined>()
  const notes = ref<RosterNote[]>([])
  const statusText = computed(() => describeRoom(state.value.connection))
  const live = computed(() => inRoom(state.value))
  const savedRooms = readLocalJson<unknown>(RECENT_KEY, [])
  const recentRooms = ref<RecentRoom[]>(
    Array.isArray(savedRooms)
      ? savedRooms.filter(
          (r): r is RecentRoom =>
            typeof r === 'object' &&
            r !== null &&
            Number.isSafeInteger((r as RecentRoom).room) &&
            typeof (r as RecentRoom).display === 'string',
        )
      : [],
  )
  function rememberRoom(room: number, display: string): void {
    recentRooms.value = [
      { room, display, at: Date.now() },
      ...recentRooms.value.filter((r) => r.room !== room),
    ].slice(0, 8)
    writeLocalJson(RECENT_KEY, recentRooms.value)
  }
  let app: RoomCalls | undefined
  let call: RoomCall | undefined

  function attach(holdfast: RoomCalls): void {
    app = holdfast
  }

  function note(change: RoomChange): void {
    const who = 'display' in change ? change.display || String(change.id) : String(change.id)
    const text =
      change.type === 'participantJoined'
        ? `${who} joined`
        : change.type === 'participantLeft'
          ? `${who} left${change.reason === 'left' ? '' : ` (${change.reason === 'kicked' ? 'removed' : 'connection lost'})`}`
          : undefined
    if (text) notes.value = [{ at: Date.now(), text }, ...notes.value].slice(0, 50)
  }

  /** Shows the camera (and opens the microphone) before joining, to check them. */
  async function startPreview(audio: boolean, video: boolean): Promise<void> {
    stopPreview()
    error.value = undefined
    if (!audio && !video) return
    try {
      preview.value = await capturePreview(audio, video)
    } catch (e) {
      error.value = describeMediaError(e)
    }
  }

  function stopPreview(): void {
    for (const track of preview.value?.getTracks() ?? []) track.stop()
    preview.value = undefined
  }

  async function join(options: RoomOptions): Promise<void> {
    error.value = undefined
    if (!app) return
    // The call captures its own; the preview's camera must not stay on beside it.
    stopPreview()
    let next: RoomCall
    try {
      next = app.createRoomCall(options)
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
      return
    }
    call = next
    notes.value = []
    notice.value = undefined
    muted.value = next.muted
    cameraOff.value = next.cameraOff
    let remembered = false
    next.events.on('state', (s) => {
      // A recovery reads the room again and makes what failed again: an error from before it
      // no longer holds (one outlived a rejoin for good in soak seed 4204). Those of the
      // recovery itself come after this and stay.
      if (s.connection.kind === 'reconnecting' && state.value.connection.kind !== 'reconnecting')
        error.value = undefined
      state.value = s
      if (s.connection.kind === 'joined' && !remembered) {
        remembered = true
        rememberRoom(options.room, options.display)
      }
      if (s.connection.kind === 'disconnected' && s.connection.message)
        error.value = s.connection.message
    })
    next.events.on('tiles', (t) => (tiles.value = t))
    next.events.on('localStream', (s) => (localStream.value = s))
    next.events.on('localScreen', (s) => (localScreen.value = s))
    next.events.on('muted', (m) => (muted.value = m))
    next.events.on('cameraOff', (off) => (cameraOff.value = off))
    next.events.on('error', (m) => (error.value = m))
    next.events.on('notice', (m) => (notice.value = m))
    next.events.on('change', note)
    next.events.on('reconnected', ({ rejoined }) => {
      const text = rejoined
        ? 'Rejoined the room: the connection was lost for too long, so you joined again'
        : 'Back in the room after a connection problem'
      notes.value = [{ at: Date.now(), text }, ...notes.value].slice(0, 50)
    })
    await next.join()
  }

  const leave = () => call?.hangup()
  const toggleMute = () => call?.setMuted(!muted.value)
  const toggleCamera = () => call?.setCameraOff(!cameraOff.value)
  const toggleScreen = () => call?.shareScreen(!localScreen.value)
  /** Shows one participant large (undefined: back to the grid). */
  const focus = (id: FeedId | undefined) => call?.focus(id)

  return {
    state,
    tiles,
    localStream,
    preview,
    localScreen,
    muted,
    cameraOff,
    error,
    notice,
    notes,
    recentRooms,
    statusText,
    live,
    attach,
    startPreview,
    stopPreview,
    join,
    leave,
    toggleMute,
    toggleCamera,
    toggleScreen,
    focus,
  }
})
