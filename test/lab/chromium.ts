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

/** Flags a benchmark adds (HOLDFAST_BENCH_CHROMIUM_ARGS, split on spaces). */
const benchExtraArgs = process.env.HOLDFAST_BENCH_CHROMIUM_ARGS?.split(/\s+/).filter(Boolean) ?? []
let benchExtraArgsLaunched = false

/**
 * A benchmark browser's flags: ours and HOLDFAST_BENCH_CHROMIUM_ARGS, to measure in the web build
 * what the desktop app could pass to its Chromium.
 */
export function benchLaunchArgs(): string[] {
  if (benchExtraArgs.length > 0) benchExtraArgsLaunched = true
  return [...chromiumArgs, ...benchExtraArgs]
}

/** The extra flags, once a browser was launched with them (for the results to say so). */
export function benchExtraArgsInUse(): readonly string[] {
  return benchExtraArgsLaunched ? benchExtraArgs : []
}
