/**
 * The desktop notification for an incoming call: who is calling, with Answer and Decline
 * buttons where the OS shows them (macOS, Windows). Clicking it, or Answer, brings the
 * window forward; on Linux, where notifications carry no buttons, the window's own
 * Answer/Decline are one click away. Electron is injected, so this is tested in Node.
 */

/** What the user chose on the notification. */
export type CallAction = 'answer' | 'decline'

/** The part of Electron's Notification this module uses. */
export interface CallNotification {
  show(): void
  close(): void
  on(event: 'click' | 'close', listener: () => void): void
  on(event: 'action', listener: (details: unknown, actionIndex?: number) => void): void
}

export interface CallNotifierDeps {
  /** Whether the OS can show notifications at all (`Notification.isSupported()`). */
  supported: () => boolean
  create: (options: {
    title: string
    body: string
    actions: { type: 'button'; text: string }[]
    urgency: 'critical'
    timeoutType: 'never'
  }) => CallNotification
  /** Brings the main window forward. */
  showWindow: () => void
  /** Tells the renderer what was chosen. */
  act: (action: CallAction) => void
}

/** Index of the button in `actions`, from either form of Electron's 'action' event. */
function actionIndex(details: unknown, legacyIndex?: number): number | undefined {
  if (typeof legacyIndex === 'number') return legacyIndex
  if (typeof details === 'object' && details !== null) {
    const index = (details as { actionIndex?: unknown }).actionIndex
    if (typeof index === 'number') return index
  }
  return undefined
}

/** Shows at most one incoming-call notification at a time. */
export class CallNotifier {
  private current: CallNotification | undefined

  constructor(private readonly deps: CallNotifierDeps) {}

  /** Shows the incoming call from `peer`, replacing any earlier one. */
  incoming(peer: string): void {
    this.dismiss()
    if (!this.deps.supported()) return
    const notification = this.deps.create({
      title: 'Incoming call',
      body: peer,
      actions: [
        { type: 'button', text: 'Answer' },
        { type: 'button', text: 'Decline' },
      ],
      urgency: 'critical',
      timeoutType: 'never',
    })
    notification.on('click', () => this.deps.showWindow())
    notification.on('action', (details: unknown, legacyIndex?: number) => {
      const index = actionIndex(details, legacyIndex)
      if (index === 0) {
        this.deps.showWindow()
        this.deps.act('answer')
      } else if (index === 1) this.deps.act('decline')
      this.forget(notification)
    })
    notification.on('close', () => this.forget(notification))
    this.current = notification
    notification.show()
  }

  /** The call stopped ringing (answered, declined, cancelled): the notification goes. */
  dismiss(): void {
    const notification = this.current
    this.current = undefined
    notification?.close()
  }

  private forget(notification: CallNotification): void {
    if (this.current === notification) this.current = undefined
  }
}
