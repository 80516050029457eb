/**
 * Saved SIP accounts: several may be kept, one is active. Only what is not secret is kept
 * here; passwords go to the desktop vault as one map (account id to password), or stay in
 * memory in the web build. Pure, so the rules are unit-tested.
 */

/** How SIP messages travel to the registrar. */
export type SipTransport = 'udp' | 'tcp'

/** An account as saved (never its password). */
export interface SavedAccount {
  /** The SIP address, which is also the account's id. */
  uri: string
  registrar: string
  displayName: string
  authUser: string
  outboundProxy: string
  transport: SipTransport
  dtmfMode: 'rfc2833' | 'info'
  /** The voicemail number or address ('' when none): subscribed to for messages waiting. */
  voicemail: string
}

/** A SIP account as it is registered: the saved account with its password. */
export interface SipAccount {
  /** e.g. sip:alice@example.org */
  uri: string
  password: string
  displayName?: string
  /** Authentication user when it differs from the URI's user. */
  authUser?: string
  /** Registrar / proxy, e.g. sip:example.org:5060 */
  registrar: string
  outboundProxy?: string
  /** How SIP travels to the registrar (UDP unless told). */
  transport?: 'udp' | 'tcp'
  /** How tones are sent: in the media (RFC 2833, the default) or as SIP INFO. */
  dtmfMode?: 'rfc2833' | 'info'
  /** The voicemail number (at the account's domain) or SIP address. */
  voicemail?: string
}

/** The account to register: the saved one (trimmed) with its password. */
export function accountToRegister(saved: SavedAccount, password: string): SipAccount {
  return {
    uri: saved.uri.trim(),
    registrar: saved.registrar.trim(),
    password,
    displayName: saved.displayName,
    ...(saved.authUser ? { authUser: saved.authUser } : {}),
    ...(saved.outboundProxy ? { outboundProxy: saved.outboundProxy } : {}),
    transport: saved.transport,
    dtmfMode: saved.dtmfMode,
    ...(saved.voicemail.trim() ? { voicemail: saved.voicemail.trim() } : {}),
  }
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '')

/** Reads saved accounts (untrusted JSON), dropping what is not an account. */
export function parseAccounts(value: unknown): SavedAccount[] {
  const list = Array.isArray(value) ? value : []
  const accounts: SavedAccount[] = []
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue
    const record = item as Record<string, unknown>
    const uri = text(record.uri)
    if (!isSipAddress(uri) || accounts.some((a) => sameAccount(a.uri, uri))) continue
    accounts.push({
      uri,
      registrar: text(record.registrar),
      displayName: text(record.displayName),
      authUser: text(record.authUser),
      outboundProxy: text(record.outboundProxy),
      transport: record.transport === 'tcp' ? 'tcp' : 'udp',
      dtmfMode: record.dtmfMode === 'info' ? 'info' : 'rfc2833',
      voicemail: text(record.voicemail),
    })
  }
  return accounts
}

/** Whether two SIP addresses name the same account (scheme and host are case-insensitive). */
export function sameAccount(a: string, b: string): boolean {
  const norm = (uri: string) => {
    const [scheme, rest = ''] = uri.trim().split(/:(.*)/s)
    const [user = '', host = ''] = rest.split('@')
    return `${(scheme ?? '').toLowerCase()}:${user}@${host.toLowerCase()}`
  }
  return norm(a) === norm(b)
}

/** `sip:user@domain` (or sips:). */
export function isSipAddress(uri: string): boolean {
  return /^sips?:[^@\s]+@[^@\s]+$/i.test(uri)
}

/** Why an account cannot be registered, in words; undefined when it can. */
export function accountProblem(account: SavedAccount): string | undefined {
  if (!isSipAddress(account.uri)) return 'Enter your SIP address as sip:user@domain.'
  if (!/^sips?:\S+$/i.test(account.registrar))
    return 'Enter the registrar as sip:host or sip:host:port.'
  if (account.outboundProxy && !/^sips?:\S+$/i.test(account.outboundProxy))
    return 'Enter the outbound proxy as sip:host or sip:host:port, or leave it empty.'
  if (account.voicemail.trim() && !/^(sips?:\S+|[\w.*#+-]+)$/i.test(account.voicemail.trim()))
    return 'Enter the voicemail number (such as *97) or its SIP address, or leave it empty.'
  return undefined
}

/** The list with `account` added, or replacing the saved account with the same address. */
export function upsertAccount(list: SavedAccount[], account: SavedAccount): SavedAccount[] {
  const index = list.findIndex((a) => sameAccount(a.uri, account.uri))
  if (index < 0) return [...list, account]
  return list.map((a, i) => (i === index ? account : a))
}

/** The list without the account at `uri`. */
export function removeAccount(list: SavedAccount[], uri: string): SavedAccount[] {
  return list.filter((a) => !sameAccount(a.uri, uri))
}

/** Reads the vault's password map; anything else gives an empty map. */
export function parsePasswords(stored: string | undefined): Record<string, string> {
  if (!stored) return {}
  try {
    const value = JSON.parse(stored) as unknown
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
    return Object.fromEntries(
      Object.entries(value).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    )
  } catch {
    return {}
  }
}
