/** `tel:` and `sip:` links (from a browser, a mail, the OS) turned into something to dial. */

/** A tel:/sip:/sips: link read: its target, or why it cannot be dialled. */
export type DialLink = { ok: true; target: string } | { ok: false; reason: string }

/**
 * Reads a tel:/sip:/sips: link; undefined when the text is not such a link at all. A link
 * that is one but malformed (`tel:%`, letters in a number, an address without a host) is
 * refused with a reason, never an exception: links come from anywhere.
 */
export function readDialLink(link: string): DialLink | undefined {
  const trimmed = link.trim()
  const scheme = /^(tel|sips?):/i.exec(trimmed)?.[1]?.toLowerCase()
  if (!scheme) return undefined
  const body = decode(/^[a-z]+:([^;?]*)/i.exec(trimmed)?.[1] ?? '')
  if (body === undefined) return refused(trimmed, 'it is not properly encoded')
  if (scheme === 'tel') {
    const number = body.replace(/[\s().-]/g, '')
    return /^\+?[0-9*#]{1,32}$/.test(number)
      ? { ok: true, target: number }
      : refused(trimmed, 'it is not a phone number')
  }
  return /^[^@\s<>"]+@[A-Za-z0-9.:[\]-]+$/.test(body)
    ? { ok: true, target: `${scheme}:${body}` }
    : refused(trimmed, 'it is not a SIP address (user@host)')
}

/** The target of a tel:/sip:/sips: link, or undefined if it is not one (or not safe to dial). */
export function parseDialLink(link: string): string | undefined {
  const read = readDialLink(link)
  return read?.ok ? read.target : undefined
}

/** The first tel:/sip: link among command-line arguments (how the OS hands a link to the app). */
export function dialLinkFromArgv(argv: readonly string[]): DialLink | undefined {
  for (const arg of argv) {
    const read = readDialLink(arg)
    if (read) return read
  }
  return undefined
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

function refused(link: string, why: string): DialLink {
  const shown = link.length > 60 ? `${link.slice(0, 57)}…` : link
  return { ok: false, reason: `Cannot dial the link "${shown}": ${why}.` }
}
