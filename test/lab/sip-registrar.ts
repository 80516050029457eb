/**
 * Kamailio as the lab's registrar and proxy: digest auth from an in-memory table of users,
 * REGISTER saved in memory and written through to a text database (so a restart keeps the
 * bindings, as a production registrar with a database does), INVITEs record-routed and
 * relayed to where the callee registered. Each REGISTER is logged so tests can count them.
 */
import { execFileSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnLogged } from './logged-child'
import { keepTrace } from './traces'

export interface Registrar {
  host: string
  port: number
  /** `sip:host:port` */
  uri: string
  /** REGISTER requests seen (challenged and authorised), by user. */
  registers(user?: string): number
  /** The contacts the registrar holds for `user` now (its own truth, read over its control socket). */
  bindings(user: string): number
  /**
   * Stops kamailio and starts it again on the same port; the bindings survive (a database).
   * `whileDown` runs in between (e.g. a Janus restart while the registrar is down).
   */
  restart(whileDown?: () => Promise<void>): Promise<void>
  stop(): Promise<void>
}

/**
 * SIP listeners of the lab (registrar, far ends) take ports from 15000-19999: below the
 * kernel's ephemeral range, where Janus's SIP stacks bind their own ports, and below the RTP
 * ranges (Janus 20000-40000, baresip 10000-14999). A listener whose port a SIP stack bound
 * with SO_REUSEADDR can share may see its requests delivered to that stack instead: once in a
 * CI run a REGISTER got no answer at all, and this is the likeliest way it could happen.
 */
const sipPorts = { from: 15_000, to: 19_999 }

/** A free UDP port on `host` for a SIP listener. */
export async function freeUdpPort(host: string): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = portElsewhere()
    const free = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4')
      socket.once('error', () => resolve(false))
      socket.bind(port, host, () => socket.close(() => resolve(true)))
    })
    if (free) return port
  }
  throw new Error(`no free UDP port on ${host} in ${sipPorts.from}-${sipPorts.to}`)
}

function config(
  users: Record<string, string>,
  dir: string,
  routes: Record<string, string> = {},
): string {
  // Requests for these users go to a fixed address (a voicemail server), not a registration.
  const fixed = Object.entries(routes)
    .map(([user, target]) => `  if ($rU == "${user}") { $du = "${target}"; t_relay(); exit; }`)
    .join('\n')
  const table = Object.entries(users)
    .map(([user, password]) => `  $sht(users=>${user}) = "${password}";`)
    .join('\n')
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=2
auto_aliases=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "auth.so"
loadmodule "htable.so"
loadmodule "db_text.so"
loadmodule "ctl.so"
modparam("db_text", "db_mode", 1)
modparam("usrloc", "db_url", "text://${dir}/db")
modparam("usrloc", "db_mode", 1)
modparam("ctl", "binrpc", "unix:${dir}/kamailio.ctl")
# A phone that is registered but gone must read as unreachable in seconds, not minutes.
modparam("tm", "fr_timer", 2000)
modparam("tm", "fr_inv_timer", 20000)
modparam("htable", "htable", "users=>size=4;")

event_route[htable:mod-init] {
${table}
}

# Every request and every reply passing through, for the trace a failing test keeps.
onreply_route {
  xlog("L_NOTICE", "HOLDFAST-SIP reply $rs $rr for $rm call-id=$ci from $si:$sp\n");
}

request_route {
  xlog("L_NOTICE", "HOLDFAST-SIP request $rm $ru call-id=$ci from $si:$sp\n");
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (is_method("OPTIONS") && uri == myself && $rU == $null) { sl_send_reply("200", "OK"); exit; }
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
    sl_send_reply("404", "Not here");
    exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
  if (is_method("REGISTER")) {
    xlog("L_NOTICE", "HOLDFAST-REGISTER user=$fU expires=$hdr(Expires) auth=$au\\n");
    if (!pv_auth_check("$fd", "$sht(users=>$fU)", "0", "1")) { auth_challenge("$fd", "0"); exit; }
    consume_credentials();
    if (!save("location")) { sl_reply_error(); }
    exit;
  }
  if (is_method("INVITE")) { record_route(); }
${fixed}
  if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
  t_relay();
}
`
}

/** A SIP port for a process in another namespace, where this process cannot look for a free one. */
export function portElsewhere(): number {
  return sipPorts.from + Math.floor(Math.random() * (sipPorts.to - sipPorts.from + 1))
}

/**
 * Starts kamailio on `host` (a free UDP port) and waits for OPTIONS to answer. With a
 * `prefix` (another namespace) the probe is sent from `localAddress`, this process's own
 * address on the way there.
 */
export async function startRegistrar(
  host: string,
  users: Record<string, string>,
  prefix: string[] = [],
  localAddress = host,
  /** A port to listen on, e.g. the one of a registrar that was stopped; free if not given. */
  fixedPort?: number,
  /** Users whose requests go to a fixed `sip:host:port` (a voicemail server). */
  routes: Record<string, string> = {},
): Promise<Registrar> {
  const port = fixedPort ?? (prefix.length > 0 ? portElsewhere() : await freeUdpPort(host))
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-kamailio-'))
  const file = join(dir, 'kamailio.cfg')
  writeFileSync(file, config(users, dir, routes))
  mkdirSync(join(dir, 'db'))
  for (const table of ['version', 'location'])
    copyFileSync(join(schema, table), join(dir, 'db', table))
  // The log outlives a restart: counts and traces cover every run of this registrar.
  const earlier: string[] = []
  const lines = (): string[] => [...earlier, ...running.log]
  let running!: ReturnType<typeof spawnLogged>
  const launch = async (): Promise<void> => {
    running = spawnLogged('kamailio', [
      ...prefix,
      'kamailio',
      '-DD',
      '-E',
      '-f',
      file,
      '-l',
      `udp:${host}:${port}`,
      '-m',
      '32',
      '-M',
      '8',
      '-Y',
      dir,
      '-P',
      join(dir, 'kamailio.pid'),
    ])
    await Promise.race([waitForOptions(host, port, localAddress, 10_000), running.exited])
  }
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const { child } = running
    if (child.exitCode !== null || child.signalCode !== null) return
    const gone = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await gone
  }
  const stopped = keepTrace(`kamailio-${port}.log`, () => lines().join('\n'))
  await launch()
  return {
    host,
    port,
    uri: `sip:${host}:${port}`,
    registers: (user) =>
      lines().filter(
        (l) => l.includes('HOLDFAST-REGISTER') && (!user || l.includes(`user=${user} `)),
      ).length,
    bindings: (user) => {
      const dump = execFileSync('kamcmd', ['-s', `unix:${join(dir, 'kamailio.ctl')}`, 'ul.dump'], {
        encoding: 'utf8',
      })
      return contactsOf(dump, user)
    },
    restart: async (whileDown) => {
      await kill('SIGTERM')
      earlier.push(...running.log)
      await whileDown?.()
      await launch()
    },
    stop: async () => {
      stopped()
      await kill('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Where Debian's kamailio keeps the text database's empty tables. */
const schema = '/usr/share/kamailio/dbtext/kamailio'

/**
 * The live contacts of `user`'s AoR (`user` or `user@domain`) in `kamcmd ul.dump` output: the
 * ones `lookup("location")` would route to. An expired contact lingers in the dump until the
 * usrloc timer removes it, so only contacts with time left count.
 */
export function contactsOf(dump: string, user: string): number {
  let inAor = false
  let contacts = 0
  for (const line of dump.split('\n')) {
    const aor = /^\s*AoR:\s*(\S+)/.exec(line)
    if (aor) inAor = aor[1] === user || aor[1]!.startsWith(`${user}@`)
    const expires = /^\s*Expires:\s*(\S+)/.exec(line)
    if (inAor && expires && (expires[1] === 'permanent' || Number(expires[1]) > 0)) contacts++
  }
  return contacts
}

/** Sends SIP OPTIONS until a 200 comes back (kamailio answers ~10 ms after start). */
async function waitForOptions(
  host: string,
  port: number,
  localAddress: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, localAddress, resolve))
  const local = socket.address().port
  try {
    const answered = new Promise<void>((resolve) =>
      socket.on('message', (msg) => {
        if (msg.toString().startsWith('SIP/2.0 200')) resolve()
      }),
    )
    let done = false
    void answered.then(() => (done = true))
    while (!done) {
      if (Date.now() > deadline)
        throw new Error(`kamailio on ${host}:${port} did not answer OPTIONS`)
      const id = Math.random().toString(36).slice(2)
      const probe = [
        `OPTIONS sip:${host}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${localAddress}:${local};branch=z9hG4bK-${id}`,
        'Max-Forwards: 70',
        `From: <sip:probe@${host}>;tag=${id}`,
        `To: <sip:${host}:${port}>`,
        `Call-ID: ${id}@${host}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n')
      socket.send(probe, port, host)
      await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 100))])
    }
  } finally {
    socket.close()
  }
}
