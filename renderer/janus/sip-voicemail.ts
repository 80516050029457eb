/**
 * Voicemail waiting through the SIP plugin: once the account is registered (again), a
 * `subscribe` to `message-summary` at the account's voicemail number; the plugin's
 * `subscribe_*` and `notify` events become the box's state. The plugin refreshes the
 * subscription itself. After a claim it lives on with the handle and is refreshed (a NOTIFY
 * sent while we were away is lost; the refresh brings the count); after a lost session the
 * phone registers again and this subscribes again.
 */
import { Emitter } from '../core/emitter'
import { nextVoicemail, readVoicemailEvent, type VoicemailState } from '../core/sip/voicemail'

/** How long a subscription lasts before the plugin refreshes it (seconds). */
const subscribeTtlS = 3600

export interface VoicemailWatchDeps {
  send(message: Record<string, unknown>): Promise<void>
  /** The account's voicemail as a SIP URI, or undefined when it has none. */
  voicemailUri(): string | undefined
}

/** The account's voicemail box, as far as its server tells. */
export class VoicemailWatch {
  readonly events = new Emitter<{ voicemail: VoicemailState }>()
  private stateValue: VoicemailState = { kind: 'off' }

  constructor(private readonly deps: VoicemailWatchDeps) {}

  get state(): VoicemailState {
    return this.stateValue
  }

  /**
   * The account is registered (again), or the session was claimed: subscribe, if it has a
   * voicemail number.
   */
  subscribe(): void {
    const to = this.deps.voicemailUri()
    if (!to) return this.set({ kind: 'off' })
    if (this.stateValue.kind !== 'known') this.set({ kind: 'waiting-for-server' })
    this.deps
      .send({
        request: 'subscribe',
        event: 'message-summary',
        to,
        accept: 'application/simple-message-summary',
        subscribe_ttl: subscribeTtlS,
      })
      .catch((error: unknown) =>
        this.set({
          kind: 'failed',
          reason: (error instanceof Error ? error.message : String(error)).replace(/^\d{3}\s+/, ''),
        }),
      )
  }

  /** Takes the plugin's events about the subscription; true when `message` was one. */
  onPluginMessage(message: unknown): boolean {
    const event = readVoicemailEvent(message)
    if (!event) return false
    this.set(nextVoicemail(this.stateValue, event))
    return true
  }

  private set(state: VoicemailState): void {
    this.stateValue = state
    this.events.emit('voicemail', state)
  }
}
