/** Reading and writing the small, non-secret JSON records the UI keeps in localStorage. */

/** The record under `key`, or `fallback` when it is missing or unreadable. */
export function readLocalJson<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(window.localStorage.getItem(key) ?? 'null') as T | null) ?? fallback
  } catch {
    return fallback
  }
}

/** Writes `value` under `key`. */
export function writeLocalJson(key: string, value: unknown): void {
  window.localStorage.setItem(key, JSON.stringify(value))
}
