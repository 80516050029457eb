/** Numbers the user starred, shown on the Phone screen for one-click calling. */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { readLocalJson, writeLocalJson } from './local-json'

const KEY = 'holdfast.favourites'

export const useFavouritesStore = defineStore('favourites', () => {
  const saved = readLocalJson<unknown>(KEY, [])
  const list = ref<string[]>(
    Array.isArray(saved) ? saved.filter((x): x is string => typeof x === 'string') : [],
  )
  const has = (peer: string): boolean => list.value.includes(peer)
  /** Stars or unstars a number. */
  function toggle(peer: string): void {
    list.value = has(peer) ? list.value.filter((p) => p !== peer) : [...list.value, peer]
    writeLocalJson(KEY, list.value)
  }
  return { list, has, toggle }
})
