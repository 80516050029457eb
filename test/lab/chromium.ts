/** How the tests launch Debian's Chromium: fake media, no network chatter, no mDNS hiding. */

/** Debian's Chromium; Playwright never downloads a browser here. */
export const chromiumPath = process.env.HOLDFAST_CHROMIUM ?? '/usr/bin/chromium'

export const chromiumArgs = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Host candidates with real addresses: Janus ignores mDNS ones (ignore_mdns).
  '--disable-features=WebRtcHideLocalIpsWithMdns',
]
