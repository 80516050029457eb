/**
 * The local address book (issue 15): contacts, how a caller or a history entry is matched
 * to one, and the search the dial pad runs as you type. Pure: no storage, no DOM.
 */

/** One person in the address book. */
export interface Contact {
  id: string
  name: string
  /** Telephone numbers as typed (`+44 20 7946 0958`, `0207 946 0958`, `1001`). */
  numbers: string[]
  /** SIP addresses (`sip:ann@example.com`). */
  sipAddresses: string[]
  favourite: boolean
}

/** The most contacts kept (an address book larger than this is refused on import). */
export const maxContacts = 5000

/** A number's digits only (a leading + kept): `+44 (20) 7946-0958` → `+442079460958`. */
export function normalizeNumber(number: string): string {
  const trimmed = number.trim()
  const digits = trimmed.replace(/[^0-9]/g, '')
  return trimmed.startsWith('+') ? `+${digits}` : digits
}

/**
 * Two numbers name the same line when their digits agree, or when both are long (7 digits
 * or more) and agree on the last 9 (or all of the shorter): `+44 20 7946 0958` and
 * `020 7946 0958` do; extension `1001` and `21001` do not.
 */
export function sameNumber(a: string, b: string): boolean {
  const x = normalizeNumber(a).replace('+', '')
  const y = normalizeNumber(b).replace('+', '')
  if (x === '' || y === '') return false
  if (x === y) return true
  if (x.length < 7 || y.length < 7) return false
  const tail = Math.min(9, x.length, y.length)
  return x.slice(-tail) === y.slice(-tail)
}

/** `sip:Ann@Example.com;transport=tcp` → `ann@example.com` (no scheme, no parameters). */
export function sipKey(uri: string): string {
  const bare = uri
    .trim()
    .replace(/^<|>$/g, '')
    .replace(/^sips?:/i, '')
  return bare.split(/[;?>]/)[0]!.toLowerCase()
}

/** The user part of a SIP address (`1001` of `sip:1001@pbx`), or the text itself. */
function userPart(uri: string): string {
  const key = sipKey(uri)
  const at = key.indexOf('@')
  return at >= 0 ? key.slice(0, at) : key
}

/** A user part that is a telephone number (digits, with + and separators). */
function looksLikeNumber(text: string): boolean {
  return /^\+?[0-9][0-9 ()./-]*$/.test(text) && normalizeNumber(text).replace('+', '').length > 0
}

/**
 * The contact a peer (a SIP URI from a call or a history entry, or a number typed) belongs
 * to: an exact SIP address first, then a number matching the user part. Undefined if none.
 */
export function contactFor(peer: string, contacts: readonly Contact[]): Contact | undefined {
  const key = sipKey(peer)
  const bySip = contacts.find((c) => c.sipAddresses.some((a) => sipKey(a) === key))
  if (bySip) return bySip
  const user = userPart(peer)
  if (!looksLikeNumber(user)) return undefined
  return contacts.find((c) => c.numbers.some((n) => sameNumber(n, user)))
}

/** One hit of the dial pad's search: the contact and what to dial for it. */
export interface ContactHit {
  contact: Contact
  /** The number or SIP address that matched (or the first one, for a match by name). */
  dial: string
}

/**
 * Contacts matching what is typed in the dial pad, favourites first, then by name: by any
 * word of the name starting with the text, by digits inside a number, or by text inside a
 * SIP address. At most `limit`.
 */
export function searchContacts(
  query: string,
  contacts: readonly Contact[],
  limit = 8,
): ContactHit[] {
  const text = query.trim().toLowerCase()
  if (text === '') return []
  const digits = looksLikeNumber(text) ? normalizeNumber(text).replace('+', '') : ''
  const hits: ContactHit[] = []
  for (const contact of contacts) {
    const number =
      digits !== '' ? contact.numbers.find((n) => normalizeNumber(n).includes(digits)) : undefined
    const address = contact.sipAddresses.find((a) => sipKey(a).includes(text))
    const byName = contact.name
      .toLowerCase()
      .split(/\s+/)
      .some((word) => word.startsWith(text))
    const dial =
      number ?? address ?? (byName ? (contact.numbers[0] ?? contact.sipAddresses[0]) : undefined)
    if (dial !== undefined) hits.push({ contact, dial })
  }
  hits.sort(
    (a, b) =>
      Number(b.contact.favourite) - Number(a.contact.favourite) ||
      a.contact.name.localeCompare(b.contact.name),
  )
  return hits.slice(0, limit)
}

/** What is wrong with a contact before it is saved, in words; undefined when nothing. */
export function contactProblem(contact: Contact): string | undefined {
  if (contact.name.trim() === '') return 'A contact needs a name'
  if (contact.name.length > 200) return 'A name can be at most 200 characters'
  if (contact.numbers.length === 0 && contact.sipAddresses.length === 0)
    return 'Give a number or a SIP address'
  const badNumber = contact.numbers.find((n) => !looksLikeNumber(n))
  if (badNumber !== undefined) return `“${badNumber}” is not a telephone number`
  const badAddress = contact.sipAddresses.find((a) => !/^[^@\s]+@[^@\s]+$/.test(sipKey(a)))
  if (badAddress !== undefined) return `“${badAddress}” is not a SIP address`
  return undefined
}

/**
 * Reads stored contacts, dropping entries that are not contacts (storage edited by hand or
 * by an older version must not break the app).
 */
export function parseContacts(value: unknown): Contact[] {
  if (!Array.isArray(value)) return []
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []
  const contacts: Contact[] = []
  for (const item of value.slice(0, maxContacts)) {
    if (typeof item !== 'object' || item === null) continue
    const raw = item as Record<string, unknown>
    if (typeof raw.id !== 'string' || typeof raw.name !== 'string') continue
    contacts.push({
      id: raw.id,
      name: raw.name,
      numbers: strings(raw.numbers),
      sipAddresses: strings(raw.sipAddresses),
      favourite: raw.favourite === true,
    })
  }
  return contacts
}
