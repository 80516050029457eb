/**
 * The local address book (issue 15), kept in localStorage (names and numbers, no secrets).
 * Thin: matching, search and vCard live in core/contacts.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import {
  contactFor,
  contactProblem,
  maxContacts,
  parseContacts,
  searchContacts,
  type Contact,
  type ContactHit,
} from '../../core/contacts/contacts'
import { parseVCards, toVCards } from '../../core/contacts/vcard'
import { readLocalJson, writeLocalJson } from './local-json'

const KEY = 'holdfast.contacts'

export const useContactsStore = defineStore('contacts', () => {
  const list = ref<Contact[]>(parseContacts(readLocalJson<unknown>(KEY, [])))
  const sorted = computed(() =>
    [...list.value].sort(
      (a, b) => Number(b.favourite) - Number(a.favourite) || a.name.localeCompare(b.name),
    ),
  )

  function save(next: Contact[]): void {
    list.value = next
    writeLocalJson(KEY, next)
  }

  /** Adds or replaces (same id) a contact; returns what is wrong with it instead, if anything. */
  function upsert(contact: Contact): string | undefined {
    const problem = contactProblem(contact)
    if (problem) return problem
    const exists = list.value.some((c) => c.id === contact.id)
    if (!exists && list.value.length >= maxContacts)
      return `The address book holds at most ${maxContacts} contacts`
    save(
      exists
        ? list.value.map((c) => (c.id === contact.id ? contact : c))
        : [...list.value, contact],
    )
    return undefined
  }

  function remove(id: string): void {
    save(list.value.filter((c) => c.id !== id))
  }

  function toggleFavourite(id: string): void {
    save(list.value.map((c) => (c.id === id ? { ...c, favourite: !c.favourite } : c)))
  }

  /** The contact's name for a peer (a SIP URI or a number), if it is in the book. */
  function nameFor(peer: string): string | undefined {
    return contactFor(peer, list.value)?.name
  }

  function search(query: string, limit?: number): ContactHit[] {
    return searchContacts(query, list.value, limit)
  }

  /**
   * Imports a vCard file: new cards are added, a card whose UID is already in the book
   * replaces that contact. Returns what happened, in words.
   */
  function importVCards(text: string): string {
    const { contacts, skipped } = parseVCards(text)
    const byId = new Map(list.value.map((c) => [c.id, c]))
    let added = 0
    let updated = 0
    for (const contact of contacts) {
      if (byId.has(contact.id)) updated++
      else if (byId.size >= maxContacts) {
        skipped.push({ card: 0, reason: `more than ${maxContacts} contacts` })
        continue
      } else added++
      byId.set(contact.id, contact)
    }
    save([...byId.values()])
    const parts = [`Imported ${added} new contact${added === 1 ? '' : 's'}`]
    if (updated) parts.push(`updated ${updated}`)
    if (skipped.length)
      parts.push(
        `skipped ${skipped.length} (${[...new Set(skipped.map((s) => s.reason))].slice(0, 3).join('; ')})`,
      )
    return `${parts.join(', ')}.`
  }

  function exportVCards(): string {
    return toVCards(sorted.value)
  }

  return {
    list,
    sorted,
    upsert,
    remove,
    toggleFavourite,
    nameFor,
    search,
    importVCards,
    exportVCards,
  }
})
