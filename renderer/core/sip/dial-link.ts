/** `tel:` and `sip:` links (from a browser, a mail, the OS) turned into something to dial. */

/** The target of a tel:/sip:/sips: link, or undefined if it is not one (or not safe to dial). */
export function parseDialLink(link: string): string | undefined {
  const trimmed = link.trim()
  const tel = /^tel:([^;?]+)/i.exec(trimmed)
  if (tel) {
    const number = decodeURIComponent(tel[1]!).replace(/[\s().-]/g, '')
    return /^\+?[0-9*#]{1,32}$/.test(number) ? number : undefined
  }
  const sip = /^(sips?):([^;?]+)/i.exec(trimmed)
  if (sip) {
    const address = decodeURIComponent(sip[2]!)
    return /^[^@\s<>"]+@[A-Za-z0-9.:[\]-]+$/.test(address)
      ? `${sip[1]!.toLowerCase()}:${address}`
      : undefined
  }
  return undefined
}

/** The first dialable link among command-line arguments (how the OS hands a link to the app). */
export function dialLinkFromArgv(argv: readonly string[]): string | undefined {
  for (const arg of argv) {
    const target = parseDialLink(arg)
    if (target) return target
  }
  return undefined
}
