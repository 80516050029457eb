/**
 * Keeping a SIP account registered through the plugin: register (unregistering first, since
 * the plugin answers 445 to a second register), a bound on a REGISTER that gets no answer at
 * all, and trying again by itself when the registrar could not be reached.
 */
import type { Clock, TimerId } from '../core/clock'
import {
  registrationRetryDelayMs,
  type RegistrationState,
  type SipEvent,
} from '../core/sip/sip-state'
import type { SipAccount } from '../core/sip/accounts'

export type { SipAccount } from '../core/sip/accounts'

/**
 * How long a REGISTER may go unanswered before the user is told. A registrar answers in
 * milliseconds; the plugin itself gives up on a lost one after SIP's timer F (32 s), and
 * nobody should sit at "Registering…" that long.
 */
export const registerAnswerBoundMs = 10_000

/** The SIP plugin's "Already registered" (JANUS_SIP_ERROR_ALREADY_REGISTERED). */
const alreadyRegisteredCode = 445

export interface RegistrationKeeperDeps {
  clock: Clock
  account: SipAccount
  send(message: Record<string, unknown>): Promise<void>
  apply(event: SipEvent): void
  state(): RegistrationState
  onRegistration(listener: (state: RegistrationState) => void): () => void
  /**
   * Starts the plugin handle over (a new SIP stack on a new port) before retrying a REGISTER
   * that got no answer at all: retries on the same stack were seen to go unanswered too.
   */
  renew?(): Promise<void>
}

/** Registers an account and keeps it registered. */
export class RegistrationKeeper {
  private accountValue: SipAccount
  /** Registration failures in a row, and the retry waiting for its turn. */
  private failures = 0
  private retry: TimerId | undefined
  private answerBound: TimerId | undefined
  private stopped = false
  /** A register without `refresh` awaits the plugin's word: a 445 then means it had one. */
  private plainRegisterOut = false

  constructor(private readonly deps: RegistrationKeeperDeps) {
    this.accountValue = deps.account
    deps.onRegistration((state) => this.onRegistration(state))
  }

  get account(): SipAccount {
    return this.accountValue
  }

  /** Registers (again) with `account`; a registered one is unregistered first. */
  async register(account: SipAccount = this.accountValue): Promise<void> {
    this.accountValue = account
    this.stopped = false
    if (this.deps.state().kind === 'registered') await this.unregister()
    this.deps.apply({ type: 'registering' })
    await this.sendRegister(false)
  }

  /**
   * After a claim, a REGISTER still waiting for its outcome goes again at once: the request
   * may have been lost with the socket, or Janus's answer and events sent while we were away
   * (they are not replayed). Waiting cost 17 s of "Registering…" in a soak (seed 4242: Janus
   * restarted, then Wi-Fi to cellular 1.1 s later): the 10 s bound, then the 5 s retry.
   */
  reconcile(): void {
    if (this.stopped || this.deps.state().kind !== 'registering') return
    void this.sendRegister(false).catch(() => undefined)
  }

  /**
   * The plugin refused a register with `code`. True when it was a plain register meeting one
   * the plugin already had (445, "Already registered", which it also answers while it is
   * registering): one whose outcome we lost (a reconcile after a claim), or Register pressed
   * while it was under way. We mean to register now, so it goes again with `refresh`, which
   * the plugin allows over its own; never shown as a failure.
   */
  alreadyHad(code: number): boolean {
    if (!this.plainRegisterOut || code !== alreadyRegisteredCode) return false
    void this.sendRegister(true).catch(() => undefined)
    return true
  }

  private async sendRegister(refresh: boolean): Promise<void> {
    const account = this.accountValue
    this.plainRegisterOut = !refresh
    this.armAnswerBound()
    await this.deps.send({
      request: 'register',
      username: account.uri,
      display_name: account.displayName ?? '',
      // The plugin (1.1.x) refuses a register without a secret field, even with no auth.
      secret: account.password,
      ...(account.authUser ? { authuser: account.authUser } : {}),
      proxy: account.registrar,
      outbound_proxy: account.outboundProxy ?? account.registrar,
      ...(account.transport === 'tcp' ? { force_tcp: true } : {}),
      ...(refresh ? { refresh: true } : {}),
    })
  }

  /** Unregisters, resolving once the plugin says so (or after 3 s). */
  async unregister(): Promise<void> {
    const done = new Promise<void>((resolve) => {
      const finish = (): void => {
        this.deps.clock.clearTimeout(timer)
        off()
        resolve()
      }
      const timer = this.deps.clock.setTimeout(finish, 3000)
      const off = this.deps.onRegistration((state) => {
        if (state.kind !== 'registered') finish()
      })
    })
    await this.deps.send({ request: 'unregister' }).catch(() => undefined)
    await done
  }

  /** No more retries (the phone is being let go). */
  stop(): void {
    this.stopped = true
    this.clear()
  }

  private armAnswerBound(): void {
    if (this.answerBound !== undefined) this.deps.clock.clearTimeout(this.answerBound)
    this.answerBound = this.deps.clock.setTimeout(() => {
      this.answerBound = undefined
      if (this.deps.state().kind === 'registering')
        this.deps.apply({ type: 'registration-timeout' })
    }, registerAnswerBoundMs)
  }

  /** A registrar that could not be reached is tried again, later and later (5 s … 60 s). */
  private onRegistration(state: RegistrationState): void {
    if (state.kind !== 'registering' && this.answerBound !== undefined) {
      this.deps.clock.clearTimeout(this.answerBound)
      this.answerBound = undefined
    }
    if (state.kind !== 'registering') this.plainRegisterOut = false
    if (state.kind === 'registered') this.failures = 0
    if (state.kind !== 'failed' || this.stopped) return
    this.failures += 1
    const delay = registrationRetryDelayMs(state, this.failures)
    if (delay === undefined || this.retry !== undefined) return
    const renew = state.cause === 'noAnswer' ? this.deps.renew : undefined
    this.retry = this.deps.clock.setTimeout(() => {
      this.retry = undefined
      if (this.stopped || this.deps.state().kind !== 'failed') return
      void (renew ? renew() : Promise.resolve()).then(() => this.register()).catch(() => undefined)
    }, delay)
  }

  private clear(): void {
    for (const timer of [this.retry, this.answerBound])
      if (timer !== undefined) this.deps.clock.clearTimeout(timer)
    this.retry = undefined
    this.answerBound = undefined
  }
}

/** A dialled number or address as a SIP URI at the account's domain. */
export function toSipUri(target: string, account: Pick<SipAccount, 'uri'>): string {
  const trimmed = target.trim()
  if (/^sips?:/i.test(trimmed)) return trimmed
  const domain = account.uri.replace(/^sips?:/i, '').split('@')[1] ?? ''
  return `sip:${trimmed.replace(/[\s()-]/g, '')}@${domain}`
}
