/**
 * The keyboard shortcuts (issue 11): one table, read by the key handler and by the help sheet,
 * so what the sheet lists is what the keys do. Pure.
 */

export type ShortcutAction =
  | 'answer'
  | 'decline'
  | 'hangup'
  | 'mute'
  | 'help'
  | 'phone'
  | 'meetings'
  | 'history'
  | 'contacts'
  | 'settings'

/** The parts of a keyboard event a shortcut looks at. */
export interface KeyPress {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
}

interface Shortcut {
  action: ShortcutAction
  /** The key as `KeyboardEvent.key` reports it (letters lower-case). */
  key: string
  /** Control (Command on macOS) is held. */
  primary: boolean
  shift: boolean
  /** Also works while typing in a field. */
  whileTyping: boolean
  description: string
}

/** Every shortcut, in the order the help sheet lists them. */
export const shortcuts: readonly Shortcut[] = [
  {
    action: 'answer',
    key: 'a',
    primary: true,
    shift: true,
    whileTyping: true,
    description: 'Answer an incoming call',
  },
  {
    action: 'decline',
    key: 'd',
    primary: true,
    shift: true,
    whileTyping: true,
    description: 'Decline an incoming call',
  },
  {
    action: 'hangup',
    key: 'e',
    primary: true,
    shift: true,
    whileTyping: true,
    description: 'Hang up (end the call or leave the meeting)',
  },
  {
    action: 'mute',
    key: 'm',
    primary: true,
    shift: true,
    whileTyping: true,
    description: 'Mute or unmute the microphone',
  },
  {
    action: 'phone',
    key: '1',
    primary: true,
    shift: false,
    whileTyping: true,
    description: 'Go to Phone',
  },
  {
    action: 'meetings',
    key: '2',
    primary: true,
    shift: false,
    whileTyping: true,
    description: 'Go to Meetings',
  },
  {
    action: 'history',
    key: '3',
    primary: true,
    shift: false,
    whileTyping: true,
    description: 'Go to History',
  },
  {
    action: 'contacts',
    key: '4',
    primary: true,
    shift: false,
    whileTyping: true,
    description: 'Go to Contacts',
  },
  {
    action: 'settings',
    key: ',',
    primary: true,
    shift: false,
    whileTyping: true,
    description: 'Go to Settings',
  },
  {
    action: 'help',
    key: '?',
    primary: false,
    shift: true,
    whileTyping: false,
    description: 'Show these shortcuts',
  },
]

/** How a shortcut is written for people ("Ctrl+Shift+A", "⌘⇧A" on macOS). */
export function shortcutLabel(shortcut: Shortcut, mac: boolean): string {
  const key = shortcut.key.length === 1 ? shortcut.key.toUpperCase() : shortcut.key
  if (shortcut.action === 'help') return '?'
  if (mac) return `${shortcut.primary ? '⌘' : ''}${shortcut.shift ? '⇧' : ''}${key}`
  return [shortcut.primary ? 'Ctrl' : '', shortcut.shift ? 'Shift' : '', key]
    .filter(Boolean)
    .join('+')
}

/** The action a key press asks for, if any; `typing` is whether focus is in a text field. */
export function shortcutFor(press: KeyPress, typing: boolean): ShortcutAction | undefined {
  const primary = press.ctrlKey || press.metaKey
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key
  for (const s of shortcuts) {
    if (typing && !s.whileTyping) continue
    if (s.action === 'help') {
      if (key === '?' && !primary && !press.altKey) return 'help'
      continue
    }
    if (s.key === key && s.primary === primary && s.shift === press.shiftKey && !press.altKey)
      return s.action
  }
  return undefined
}

/** A key that dials when typed on the Phone screen outside a field. */
export function isDialKey(key: string): boolean {
  return /^[0-9*#+]$/.test(key)
}
