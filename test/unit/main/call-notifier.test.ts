/** The incoming-call notification: its buttons, what each does, and that only one shows. */
import { describe, expect, it } from 'vitest'
import { CallNotifier, type CallAction, type CallNotifierDeps } from '../../../main/call-notifier'

function harness(supported = true) {
  const made: {
    options: Parameters<CallNotifierDeps['create']>[0]
    shown: boolean
    closed: boolean
    fire: (event: string, ...args: unknown[]) => void
  }[] = []
  const actions: CallAction[] = []
  let windowShown = 0
  const notifier = new CallNotifier({
    supported: () => supported,
    create: (options) => {
      const listeners = new Map<string, (...args: unknown[]) => void>()
      const record = {
        options,
        shown: false,
        closed: false,
        fire: (event: string, ...args: unknown[]) => listeners.get(event)?.(...args),
      }
      made.push(record)
      return {
        show: () => void (record.shown = true),
        close: () => void (record.closed = true),
        on: (event: string, listener: (...args: never[]) => void) =>
          void listeners.set(event, listener as (...args: unknown[]) => void),
      }
    },
    showWindow: () => void windowShown++,
    act: (action) => void actions.push(action),
  })
  return { notifier, made, actions, windowShown: () => windowShown }
}

describe('incoming-call notification', () => {
  it('shows who is calling with Answer and Decline, and never times out', () => {
    const { notifier, made } = harness()
    notifier.incoming('sip:bob@lab')
    expect(made).toHaveLength(1)
    expect(made[0]!.shown).toBe(true)
    expect(made[0]!.options).toMatchObject({
      title: 'Incoming call',
      body: 'sip:bob@lab',
      timeoutType: 'never',
      actions: [
        { type: 'button', text: 'Answer' },
        { type: 'button', text: 'Decline' },
      ],
    })
  })

  it('Answer brings the window forward and answers; Decline declines (both event forms)', () => {
    const { notifier, made, actions, windowShown } = harness()
    notifier.incoming('sip:bob@lab')
    made[0]!.fire('action', { actionIndex: 0 })
    expect(actions).toEqual(['answer'])
    expect(windowShown()).toBe(1)
    notifier.incoming('sip:carol@lab')
    made[1]!.fire('action', {}, 1)
    expect(actions).toEqual(['answer', 'decline'])
    expect(windowShown()).toBe(1)
  })

  it('a click only brings the window forward', () => {
    const { notifier, made, actions, windowShown } = harness()
    notifier.incoming('sip:bob@lab')
    made[0]!.fire('click')
    expect(windowShown()).toBe(1)
    expect(actions).toEqual([])
  })

  it('keeps one at a time and removes it when the call stops ringing', () => {
    const { notifier, made } = harness()
    notifier.incoming('sip:bob@lab')
    notifier.incoming('sip:carol@lab')
    expect(made[0]!.closed).toBe(true)
    expect(made[1]!.closed).toBe(false)
    notifier.dismiss()
    expect(made[1]!.closed).toBe(true)
    // A notification the user closed is not closed again.
    notifier.incoming('sip:dan@lab')
    made[2]!.fire('close')
    notifier.dismiss()
    expect(made[2]!.closed).toBe(false)
  })

  it('shows nothing where the OS has no notifications', () => {
    const { notifier, made } = harness(false)
    notifier.incoming('sip:bob@lab')
    expect(made).toHaveLength(0)
  })
})
