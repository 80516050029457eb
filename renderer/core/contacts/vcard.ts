/**
 * Contacts to and from vCard (RFC 6350, and the 3.0 files phones and mail apps still write),
 * for import and export (issue 15). Reads what others write (folded lines, escapes, TEL and
 * IMPP with parameters, X-SIP), writes vCard 4.0 that they read back.
 */
import { maxContacts, type Contact } from './contacts'

/** What an import found: the contacts, and how many cards could not be read (with why). */
export interface VCardImport {
  contacts: Contact[]
  skipped: { card: number; reason: string }[]
}

/** Escapes a property value (RFC 6350 §3.4): backslash, comma, semicolon, newline. */
function escapeValue(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/,/g, '\\,')
    .replace(/;/g, '\\;')
    .replace(/\r?\n/g, '\\n')
}

/** Undoes `escapeValue` (and the `\N` some writers use). */
function unescapeValue(value: string): string {
  return value.replace(/\\([\\,;nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c))
}

/** Octets a code point takes in UTF-8. */
function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4
}

/** Folds a content line at 75 octets (RFC 6350 §3.2), never inside a UTF-8 sequence. */
function fold(line: string): string {
  const parts: string[] = []
  let current = ''
  let octets = 0
  for (const char of line) {
    const size = utf8Length(char.codePointAt(0)!)
    // The first line holds 75 octets; each continuation 74 after its leading space.
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current)
      current = ''
      octets = 0
    }
    current += char
    octets += size
  }
  parts.push(current)
  return parts.join('\r\n ')
}

/** The contacts as one vCard 4.0 file. */
export function toVCards(contacts: readonly Contact[]): string {
  const cards = contacts.map((contact) => {
    const lines = [
      'BEGIN:VCARD',
      'VERSION:4.0',
      `FN:${escapeValue(contact.name)}`,
      ...contact.numbers.map((n) => `TEL;VALUE=text:${escapeValue(n)}`),
      ...contact.sipAddresses.map(
        (a) => `IMPP:${escapeValue(a.startsWith('sip') ? a : `sip:${a}`)}`,
      ),
      ...(contact.favourite ? ['CATEGORIES:Favourites'] : []),
      `UID:${escapeValue(contact.id)}`,
      'END:VCARD',
    ]
    return lines.map(fold).join('\r\n')
  })
  return cards.length ? `${cards.join('\r\n')}\r\n` : ''
}

/** One property of a card: its name (upper case), parameters and raw value. */
interface Property {
  name: string
  params: string[]
  value: string
}

/** Splits `item1.TEL;TYPE=cell:+44…` into name, parameters and value (quotes respected). */
function readProperty(line: string): Property | undefined {
  let inQuotes = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '"') inQuotes = !inQuotes
    else if (c === ':' && !inQuotes) {
      const [rawName, ...params] = line.slice(0, i).split(';')
      const name = rawName!.replace(/^[^.]*\./, '').toUpperCase()
      return { name, params: params.map((p) => p.toUpperCase()), value: line.slice(i + 1) }
    }
  }
  return undefined
}

/** The name of a card from N (`Family;Given;Middle;Prefix;Suffix`) when FN is missing. */
function nameFromN(value: string): string {
  const [family = '', given = '', middle = ''] = value
    .split(/(?<!\\);/)
    .map((p) => unescapeValue(p).trim())
  return [given, middle, family].filter(Boolean).join(' ')
}

/** A stable id for an imported card without a UID. */
function newId(index: number): string {
  return `vcard-${Date.now().toString(36)}-${index}`
}

/** Reads every card in a vCard file (3.0 or 4.0); cards it cannot use are counted with why. */
export function parseVCards(text: string): VCardImport {
  // Unfold: a line starting with a space or a tab continues the previous one.
  const lines = text
    .replace(/\r\n|\r/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n')
  const contacts: Contact[] = []
  const skipped: VCardImport['skipped'] = []
  let card: Property[] | undefined
  let index = 0
  for (const line of lines) {
    if (/^BEGIN:VCARD$/i.test(line.trim())) {
      card = []
      continue
    }
    if (/^END:VCARD$/i.test(line.trim())) {
      if (card) {
        index++
        const read = contactFromCard(card, index)
        if (typeof read === 'string') skipped.push({ card: index, reason: read })
        else if (contacts.length >= maxContacts)
          skipped.push({ card: index, reason: `more than ${maxContacts} contacts` })
        else contacts.push(read)
      }
      card = undefined
      continue
    }
    if (!card || line.trim() === '') continue
    const property = readProperty(line)
    if (property) card.push(property)
  }
  return { contacts, skipped }
}

/** The contact a card describes, or why it cannot be one. */
function contactFromCard(card: Property[], index: number): Contact | string {
  const first = (name: string) => card.find((p) => p.name === name)
  const fn = first('FN')
  const n = first('N')
  const name = fn ? unescapeValue(fn.value).trim() : n ? nameFromN(n.value) : ''
  const numbers: string[] = []
  const sipAddresses: string[] = []
  for (const p of card) {
    const value = unescapeValue(p.value).trim()
    if (value === '') continue
    if (p.name === 'TEL') {
      // vCard 4.0 writes TEL as a URI (tel:+44…, or sip: for a SIP line).
      if (/^sips?:/i.test(value)) sipAddresses.push(value)
      else numbers.push(value.replace(/^tel:/i, '').split(';')[0]!)
    } else if (p.name === 'IMPP' || p.name === 'X-SIP') {
      if (/^sips?:/i.test(value)) sipAddresses.push(value)
      else if (p.name === 'X-SIP') sipAddresses.push(`sip:${value}`)
    }
  }
  if (name === '') return 'no name'
  if (numbers.length === 0 && sipAddresses.length === 0)
    return `“${name}” has no number or SIP address`
  const uid = first('UID')
  const categories = first('CATEGORIES')
  return {
    id: uid ? unescapeValue(uid.value).trim() : newId(index),
    name,
    numbers: [...new Set(numbers)],
    sipAddresses: [...new Set(sipAddresses)],
    favourite:
      categories !== undefined &&
      categories.value
        .split(/(?<!\\),/)
        .some((c) => /^(favou?rites?|starred)$/i.test(unescapeValue(c).trim())),
  }
}
