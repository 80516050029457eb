import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useRoomStore, type RoomCalls } from '../../renderer/app/stores/room'
import { RoomCall } from '../../renderer/janus/room-call'
import { FakeGateway } from './support/fake-gateway'
import { connected, makeHarness } from './support/harness'

/** The store on a room call of the fake gateway (localStorage stood in for: the recent rooms). */
async function storeInRoom() {
  const h = makeHarness()
  await connected(h)
  const janus = new FakeGateway()
  const app: RoomCalls = {
    createRoomCall: (options) => new RoomCall(h.session, janus.gateway, h.clock, options),
  }
  const store = useRoomStore()
  store.attach(app)
  const joining = store.join({ room: 1234, display: 'Ann', audio: true, video: true })
  await h.clock.settle()
  janus.last.event({ videoroom: 'joined', id: 1, private_id: 77, publishers: [] })
  await joining
  await h.clock.settle()
  return { h, janus, store }
}

describe('the room as the UI shows it', () => {
  beforeEach(() => {
    const kept = new Map<string, string>()
    vi.stubGlobal('window', {
      localStorage: {
        getItem: (key: string) => kept.get(key) ?? null,
        setItem: (key: string, value: string) => void kept.set(key, value),
      },
    })
    setActivePinia(createPinia())
  })
  afterEach(() => vi.unstubAllGlobals())

  it('an error from before a recovery is gone once the connection is being recovered', async () => {
    const { h, janus, store } = await storeInRoom()
    expect(store.live).toBe(true)
    // A change the room refused: said until something makes it untrue.
    janus.last.event({ videoroom: 'event', error_code: 428, error: 'No such feed (3)' })
    expect(store.error).toBe('No such feed (3)')
    h.session.events.emit('reconnecting', { attempt: 1, reason: 'networkChanged' })
    expect(store.statusText).not.toBe('')
    expect(store.error).toBeUndefined()
    // One the recovery itself meets is said.
    janus.last.event({ videoroom: 'event', error_code: 428, error: 'No such feed (4)' })
    h.session.events.emit('reconnecting', { attempt: 2, reason: 'networkChanged' })
    expect(store.error).toBe('No such feed (4)')
  })
})
