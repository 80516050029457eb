/**
 * baresip as the lab's SIP far end: headless, registered with the lab's registrar, sending
 * a sine tone and playing what it receives into a null device. Its ctrl_tcp module lets a
 * test watch it (call established, tones received, call closed) and drive it (dial, hang
 * up).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnLogged } from './logged-child'
import { connectWithRetry, eventLog } from './event-log'
import { keepTrace } from './traces'
import { freePort } from './ports'
import { freeUdpPort, portElsewhere } from './sip-registrar'

/** One event from baresip's ctrl_tcp (`{event: true, type, param, peeruri, ...}`). */
export interface FarEndEvent {
  type: string
  param?: string
  peeruri?: string
  [key: string]: unknown
}

export interface FarEnd {
  /** `sip:user@domain` this far end registered as. */
  uri: string
  events: FarEndEvent[]
  /** Resolves with the first event (already seen or to come) that matches. */
  waitFor(
    what: string,
    match: (event: FarEndEvent) => boolean,
    timeoutMs?: number,
  ): Promise<FarEndEvent>
  /** Sends a ctrl_tcp command (e.g. `dial`, `hangup`) and resolves with its answer. */
  command(command: string, params?: string): Promise<string>
  /** Tones received in calls so far, in order (from CALL_DTMF_START). */
  tones(): string
  stop(): Promise<void>
}

export interface FarEndOptions {
  /** The address every SIP component shares (not loopback: Janus gathers no candidates there). */
  host: string
  /** Network interface holding `host`. */
  iface: string
  user: string
  password: string
  /** The registrar, `sip:host:port`. */
  registrar: string
  /**
   * `auto` answers every call; `manual` leaves it ringing until `accept`; `early` rings with
   * early media (183 with its tone) until `accept`.
   */
  answer?: 'auto' | 'manual' | 'early'
  /** Command prefix, e.g. `ip netns exec <ns>`. */
  prefix?: string[]
  /** Where ctrl_tcp listens, reachable from the test (default 127.0.0.1). */
  controlHost?: string
  /**
   * Hang up a call that receives no RTP for this long, as desk phones and PBXs do: a call
   * whose other side died without a BYE (a Janus killed) does not stay up for ever.
   */
  rtpTimeoutS?: number
}

/** Starts baresip and waits until it is registered. */
export async function startFarEnd(options: FarEndOptions): Promise<FarEnd> {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-baresip-'))
  const elsewhere = (options.prefix ?? []).length > 0
  const sipPort = elsewhere ? portElsewhere() : await freeUdpPort(options.host)
  const controlHost = options.controlHost ?? '127.0.0.1'
  const ctrlPort = elsewhere ? portElsewhere() : await freePort(controlHost)
  // Its own RTP range, apart from Janus's (20000-40000) and from the SIP ports.
  const rtpBase = 10_000 + Math.floor(Math.random() * 2_400) * 2
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen ${options.host}:${sipPort}`,
      `net_interface ${options.iface}`,
      `rtp_ports ${rtpBase}-${rtpBase + 40}`,
      'audio_player alsa,null',
      'audio_alert alsa,null',
      'audio_source ausine,440',
      'ausrc_srate 48000',
      'ausrc_channels 2',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module opus.so',
      'module ausine.so',
      'module alsa.so',
      'module_app account.so',
      'module_app menu.so',
      'module_app ctrl_tcp.so',
      `ctrl_tcp_listen ${controlHost}:${ctrlPort}`,
      ...(options.rtpTimeoutS ? [`rtp_timeout ${options.rtpTimeoutS}`] : []),
      '',
    ].join('\n'),
  )
  const uri = `sip:${options.user}@${options.host}`
  const answermode = options.answer ?? 'auto'
  writeFileSync(
    join(dir, 'accounts'),
    `<${uri}>;auth_pass=${options.password};outbound="${options.registrar}";answermode=${answermode};regint=600\n`,
  )
  const { log, exited, kill } = spawnLogged('baresip', [
    ...(options.prefix ?? []),
    'baresip',
    '-f',
    dir,
  ])
  const stopped = keepTrace(`baresip-${options.user}.log`, () => log.join('\n'))

  const socket = await Promise.race([
    connectWithRetry(() => connectTo(controlHost, ctrlPort), 10_000),
    exited,
  ])
  const calls = eventLog<FarEndEvent>('baresip', (e) => e.type)
  const answers = new Map<string, (data: string) => void>()
  let buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk])
    for (;;) {
      // Netstrings: "<length>:<payload>,"
      const colon = buffer.indexOf(0x3a)
      if (colon < 0) return
      const length = Number(buffer.subarray(0, colon).toString())
      if (buffer.length < colon + 1 + length + 1) return
      const payload = buffer.subarray(colon + 1, colon + 1 + length).toString()
      buffer = buffer.subarray(colon + 1 + length + 1)
      const message = JSON.parse(payload) as Record<string, unknown>
      if (message.event === true) {
        calls.push(message as FarEndEvent)
      } else if (message.response === true && typeof message.token === 'string') {
        answers.get(message.token)?.(String(message.data ?? ''))
        answers.delete(message.token)
      }
    }
  })

  let next = 0
  const farEnd: FarEnd = {
    uri,
    events: calls.events,
    waitFor: calls.waitFor,
    command: (name, params) =>
      new Promise((resolve) => {
        const token = `t${++next}`
        answers.set(token, resolve)
        const body = JSON.stringify({ command: name, params: params ?? '', token })
        socket.write(`${Buffer.byteLength(body)}:${body},`)
      }),
    tones: () =>
      calls.events
        .filter((e) => e.type === 'CALL_DTMF_START')
        .map((e) => e.param ?? '')
        .join(''),
    stop: async () => {
      stopped()
      socket.destroy()
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    // It registers before ctrl_tcp has a client, so the event is missed: read its log instead.
    const registered = (): boolean =>
      log.some((line) => line.startsWith(`${options.user}@`) && line.includes(' 200 OK'))
    await Promise.race([untilTrue(registered, 10_000, 'baresip did not register'), exited])
  } catch (error) {
    await farEnd.stop()
    throw new Error(`${String(error)}\nbaresip said:\n${log.slice(-30).join('\n')}`, {
      cause: error,
    })
  }
  return farEnd
}

/** Connects to a TCP port. */
function connectTo(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => resolve(socket))
    socket.once('error', reject)
  })
}

async function untilTrue(check: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(message)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
