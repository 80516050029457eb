/**
 * The project's Janus configuration, generated for a run: only the plugins and transports
 * Holdfast needs, WebSocket and Admin WebSocket on chosen addresses and ports, short windows
 * for tests. Used by `npm run janus`, the integration tests and the browser tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Settings that vary between the dev server and the test servers. */
export interface JanusLabConfig {
  /** Address the WebSocket transports bind to (`0.0.0.0`: every address of the namespace). */
  wsIp: string
  wsPort: number
  adminPort: number
  adminSecret: string
  sessionTimeoutS: number
  reclaimSessionTimeoutS: number
  /** Interface name and address used for ICE (media needs a non-loopback one). */
  iceInterface?: string
  iceAddress?: string
  apiSecret?: string
  /** Secret for HMAC-signed tokens; enables token auth. */
  tokenAuthSecret?: string
  rtpPortRange?: string
  /** Address the SIP plugin signals from (default: the ICE address, else loopback). */
  sipLocalIp?: string
  plugins?: string[]
}

/** Where Debian installs Janus's modules. */
export const janusLibDir = '/usr/lib/x86_64-linux-gnu/janus'

const allPlugins = [
  'audiobridge',
  'duktape',
  'echotest',
  'lua',
  'nosip',
  'recordplay',
  'sip',
  'streaming',
  'textroom',
  'videocall',
  'videoroom',
  'voicemail',
]
const unusedTransports = ['http', 'mqtt', 'nanomsg', 'pfunix', 'rabbitmq']

/** Writes janus.jcfg and the transport/plugin files into `dir`; returns the main file's path. */
export function writeJanusConfig(dir: string, c: JanusLabConfig): string {
  mkdirSync(dir, { recursive: true })
  const plugins = c.plugins ?? ['echotest', 'sip', 'videoroom']
  const disabledPlugins = allPlugins
    .filter((p) => !plugins.includes(p))
    .map((p) => `libjanus_${p}.so`)
  const general = [
    `configs_folder = "${dir}"`,
    `plugins_folder = "${janusLibDir}/plugins"`,
    `transports_folder = "${janusLibDir}/transports"`,
    `events_folder = "${janusLibDir}/events"`,
    `loggers_folder = "${janusLibDir}/loggers"`,
    'debug_level = 4',
    'debug_timestamps = true',
    `admin_secret = "${c.adminSecret}"`,
    `session_timeout = ${c.sessionTimeoutS}`,
    `reclaim_session_timeout = ${c.reclaimSessionTimeoutS}`,
    'server_name = "holdfast-lab"',
    ...(c.iceAddress ? [`interface = "${c.iceAddress}"`] : []),
    ...(c.apiSecret ? [`api_secret = "${c.apiSecret}"`] : []),
    ...(c.tokenAuthSecret
      ? ['token_auth = true', `token_auth_secret = "${c.tokenAuthSecret}"`]
      : []),
  ]
  const main = `general: {
${general.map((l) => `  ${l}`).join('\n')}
}
certificates: {
}
media: {
  ipv6 = false
  rtp_port_range = "${c.rtpPortRange ?? '20000-40000'}"
  no_media_timer = 1
}
nat: {
  nice_debug = false
  ignore_mdns = true
${c.iceInterface ? `  ice_enforce_list = "${c.iceInterface}"` : ''}
}
plugins: {
  disable = "${disabledPlugins.join(',')}"
}
transports: {
  disable = "${unusedTransports.map((t) => `libjanus_${t}.so`).join(',')}"
}
loggers: {
  disable = "libjanus_jsonlog.so"
}
events: {
}
`
  const file = join(dir, 'janus.jcfg')
  writeFileSync(file, main)
  writeFileSync(
    join(dir, 'janus.transport.websockets.jcfg'),
    `general: {
  json = "compact"
  ws = true
  ws_port = ${c.wsPort}
${c.wsIp === '0.0.0.0' ? '' : `  ws_ip = "${c.wsIp}"`}
  wss = false
}
admin: {
  admin_ws = true
  admin_ws_port = ${c.adminPort}
${c.wsIp === '0.0.0.0' ? '' : `  admin_ws_ip = "${c.wsIp}"`}
  admin_wss = false
}
`,
  )
  writeFileSync(join(dir, 'janus.plugin.echotest.jcfg'), 'general: {\n}\n')
  // The SIP plugin signals from the same address media uses: never loopback, where Janus gathers nothing.
  writeFileSync(
    join(dir, 'janus.plugin.sip.jcfg'),
    `general: {\n  local_ip = "${c.sipLocalIp ?? c.iceAddress ?? '127.0.0.1'}"\n  keepalive_interval = 0\n  behind_nat = false\n  register_ttl = 60\n  rtp_port_range = "${c.rtpPortRange ?? '20000-40000'}"\n}\n`,
  )
  writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), videoroomConfig)
  return file
}

/** The room every lab Janus has ready to join. */
export const labRoom = 1234

/** A second lab room that asks for a PIN. */
export const labPinRoom = { room: 4321, pin: '2468' }

/**
 * The VideoRoom with a room ready: six publishers (the default three is too few), talking
 * events (Chromium's fake audio sits near 76 dBov, so the level threshold is set above it),
 * joining notifications for participants who do not publish, and a keyframe every 10 s; and
 * a room that asks for a PIN.
 */
const videoroomConfig = `general: {
}
room-${labRoom}: {
  description = "Holdfast lab room"
  publishers = 6
  bitrate = 512000
  fir_freq = 10
  audiocodec = "opus"
  videocodec = "vp8"
  audiolevel_event = true
  audio_active_packets = 100
  audio_level_average = 120
  notify_joining = true
}
room-${labPinRoom.room}: {
  description = "Holdfast lab room with a PIN"
  pin = "${labPinRoom.pin}"
  publishers = 6
  videocodec = "vp8"
}
`
