import { describe, expect, it } from 'vitest'
import {
  contactFor,
  contactProblem,
  normalizeNumber,
  parseContacts,
  sameNumber,
  searchContacts,
  sipKey,
  type Contact,
} from '../../renderer/core/contacts/contacts'
import { parseVCards, toVCards } from '../../renderer/core/contacts/vcard'

const contact = (over: Partial<Contact> & Pick<Contact, 'name'>): Contact => ({
  id: over.name.toLowerCase().replace(/\s+/g, '-'),
  numbers: [],
  sipAddresses: [],
  favourite: false,
  ...over,
})

const ann = contact({
  name: 'Ann Lee',
  numbers: ['+44 20 7946 0958'],
  sipAddresses: ['sip:ann@example.com'],
})
const ben = contact({ name: 'Ben Okafor', numbers: ['1001'], favourite: true })
const cy = contact({ name: 'Cy Annand', sipAddresses: ['sip:cy@pbx.example.com'] })
const book = [ann, ben, cy]

describe('contact matching', () => {
  it('normalizes numbers to digits with the leading +', () => {
    expect(normalizeNumber(' +44 (20) 7946-0958 ')).toBe('+442079460958')
    expect(normalizeNumber('020 7946 0958')).toBe('02079460958')
  })

  it('the same line in international and national form matches; short extensions only exactly', () => {
    expect(sameNumber('+44 20 7946 0958', '020 7946 0958')).toBe(true)
    expect(sameNumber('1001', '1001')).toBe(true)
    expect(sameNumber('1001', '21001')).toBe(false)
    expect(sameNumber('+44 20 7946 0958', '+44 20 7946 0959')).toBe(false)
    expect(sameNumber('', '')).toBe(false)
  })

  it('reduces a SIP address to user@host, whatever its scheme, brackets, case or parameters', () => {
    expect(sipKey('<sip:Ann@Example.com;transport=tcp>')).toBe('ann@example.com')
    expect(sipKey('sips:ann@example.com?subject=x')).toBe('ann@example.com')
  })

  it('finds the caller by SIP address first, then by the number in the user part', () => {
    expect(contactFor('sip:ANN@example.com', book)).toBe(ann)
    expect(contactFor('sip:02079460958@pbx.example.com', book)).toBe(ann)
    expect(contactFor('sip:1001@pbx', book)).toBe(ben)
    expect(contactFor('1001', book)).toBe(ben)
    expect(contactFor('sip:stranger@example.com', book)).toBeUndefined()
    expect(contactFor('sip:21001@pbx', book)).toBeUndefined()
  })

  it('the dial pad finds by a word of the name, by digits in a number, by text in a SIP address; favourites first', () => {
    expect(searchContacts('ann', book).map((h) => h.contact.name)).toEqual(['Ann Lee', 'Cy Annand'])
    expect(searchContacts('7946', book)).toEqual([{ contact: ann, dial: '+44 20 7946 0958' }])
    expect(searchContacts('pbx', book)).toEqual([{ contact: cy, dial: 'sip:cy@pbx.example.com' }])
    expect(searchContacts('1', book)[0]).toEqual({ contact: ben, dial: '1001' })
    expect(searchContacts('  ', book)).toEqual([])
    expect(searchContacts('a', book, 1)).toHaveLength(1)
  })

  it('says what is wrong with a contact before it is saved', () => {
    expect(contactProblem(ann)).toBeUndefined()
    expect(contactProblem(contact({ name: ' ', numbers: ['1'] }))).toBe('A contact needs a name')
    expect(contactProblem(contact({ name: 'Dee' }))).toBe('Give a number or a SIP address')
    expect(contactProblem(contact({ name: 'D'.repeat(201), numbers: ['1'] }))).toBe(
      'A name can be at most 200 characters',
    )
    expect(contactProblem(contact({ name: 'Dee', numbers: ['call me'] }))).toBe(
      '“call me” is not a telephone number',
    )
    expect(contactProblem(contact({ name: 'Dee', sipAddresses: ['sip:dee'] }))).toBe(
      '“sip:dee” is not a SIP address',
    )
  })

  it('reads stored contacts, dropping what is not one', () => {
    expect(parseContacts('nonsense')).toEqual([])
    expect(
      parseContacts([
        ann,
        { id: 3 },
        null,
        { id: 'x', name: 'X', numbers: ['1', 2], sipAddresses: 'no', favourite: 'yes' },
      ]),
    ).toEqual([ann, { id: 'x', name: 'X', numbers: ['1'], sipAddresses: [], favourite: false }])
  })
})

describe('vCard', () => {
  it('round-trips the address book, favourites and awkward characters included', () => {
    const odd = contact({
      name: 'Zoë O’Brien; Jr., \\ “the boss”',
      numbers: ['+353 1 234 5678'],
      sipAddresses: ['sip:zoe@example.ie'],
      favourite: true,
    })
    const long = contact({ name: 'L'.repeat(100) + 'ü'.repeat(60), numbers: ['5'] })
    const text = toVCards([...book, odd, long])
    for (const line of text.split('\r\n'))
      expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75)
    expect(parseVCards(text)).toEqual({ contacts: [...book, odd, long], skipped: [] })
  })

  it('reads a vCard 3.0 export as phones and mail apps write it', () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Lee;Ann;;;',
      'item1.TEL;type=CELL;type=pref:+44 20 7946',
      '  0958',
      'X-SIP:ann@example.com',
      'CATEGORIES:Work,starred',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:4.0',
      'FN:Ben',
      'TEL;VALUE=uri;TYPE="voice,work":tel:1001;ext=2',
      'IMPP;PREF=1:sip:ben@pbx',
      'IMPP:xmpp:ben@chat',
      'END:VCARD',
    ].join('\n')
    const { contacts, skipped } = parseVCards(text)
    expect(skipped).toEqual([])
    expect(contacts.map(({ id: _, ...c }) => c)).toEqual([
      {
        name: 'Ann Lee',
        numbers: ['+44 20 7946 0958'],
        sipAddresses: ['sip:ann@example.com'],
        favourite: true,
      },
      { name: 'Ben', numbers: ['1001'], sipAddresses: ['sip:ben@pbx'], favourite: false },
    ])
  })

  it('skips cards it cannot use and says why, and reads nothing from garbage', () => {
    const text = 'BEGIN:VCARD\nFN:Nobody\nEND:VCARD\nBEGIN:VCARD\nTEL:123\nEND:VCARD\n'
    expect(parseVCards(text)).toEqual({
      contacts: [],
      skipped: [
        { card: 1, reason: '“Nobody” has no number or SIP address' },
        { card: 2, reason: 'no name' },
      ],
    })
    expect(parseVCards('\u0000 not a vcard :::')).toEqual({ contacts: [], skipped: [] })
    expect(toVCards([])).toBe('')
  })
})
