/**
 * linphone as a second kind of SIP far end (linphone-daemon, from Debian's linphone-cli;
 * liblinphone 5.1). The lab's baresip (1.0.0) has no RFC 3891 Replaces at all, so it can
 * neither put a held call through to a consulted one nor take such a call over; linphone
 * does both (issue 15's attended transfer, with a phone that is not Holdfast). Headless, with
 * no sound card (ALSA's null device stalls liblinphone's media when a call ends): a call
 * carries our audio once a tone file is played into it. Driven through the daemon's command
 * socket; its call events are popped from the daemon's queue as they come.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnLogged } from './logged-child'
import { freeUdpPort } from './sip-registrar'
import { connectWithRetry, eventLog } from './event-log'
import { keepTrace } from './traces'

/** One answer or event of the daemon: its `Key: value` lines. */
export type LinphoneFields = Record<string, string>

export interface LinphoneFarEnd {
  /** `sip:user@domain` this phone registered as. */
  uri: string
  /** Call events so far (`Event: LinphoneCallIncomingReceived`, `Id`, `From`...). */
  events: LinphoneFields[]
  /** Resolves with the first event (seen or to come) that matches. */
  waitFor(
    what: string,
    match: (event: LinphoneFields) => boolean,
    timeoutMs?: number,
  ): Promise<LinphoneFields>
  /** Sends one command line (e.g. `call sip:x`, `call-transfer 1 2`); rejects on an error. */
  command(line: string): Promise<LinphoneFields>
  /**
   * Plays a tone (a minute of it) into call `id`, which carries real RTP only so: this
   * phone has no sound card to send from.
   */
  playTone(id: string): Promise<void>
  stop(): Promise<void>
}

export interface LinphoneOptions {
  /** The address the lab's SIP components share. */
  host: string
  user: string
  password: string
  /** The registrar, `sip:host:port`. */
  registrar: string
}

/** `Key: value` lines to a record (the first value of a key wins). */
function fields(text: string): LinphoneFields {
  const out: LinphoneFields = {}
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const key = line.slice(0, colon).trim()
    if (!(key in out)) out[key] = line.slice(colon + 1).trim()
  }
  return out
}

/** Starts linphone-daemon and waits until it is registered. */
export async function startLinphone(options: LinphoneOptions): Promise<LinphoneFarEnd> {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-linphone-'))
  const sipPort = await freeUdpPort(options.host)
  // Its own RTP range, apart from Janus's (20000-40000), baresip's (10000-14800) and the
  // lab's SIP ports (15000-19999).
  const rtpBase = 6_000 + Math.floor(Math.random() * 999) * 4
  writeFileSync(join(dir, 'tone.wav'), sineWave(440, 60))
  // Where it keeps its database (calls, chats): it logs an error without it.
  mkdirSync(join(dir, '.local', 'share', 'linphone'), { recursive: true })
  writeFileSync(
    join(dir, 'linphonerc'),
    [
      '[sip]',
      `sip_port=${sipPort}`,
      'sip_tcp_port=0',
      'sip_tls_port=0',
      // No GRUU: the lab's registrar hands one out but cannot route a request sent to it.
      'supported=replaces',
      '[rtp]',
      `audio_rtp_port=${rtpBase}-${rtpBase + 3}`,
      `video_rtp_port=${rtpBase + 2}-${rtpBase + 3}`,
      '[sound]',
      'echocancellation=0',
      '[video]',
      'capture=0',
      'display=0',
      'automatically_initiate=0',
      'automatically_accept=0',
      '',
    ].join('\n'),
  )
  const logFile = join(dir, 'linphone.log')
  const pipe = `holdfast-linphone-${process.pid}-${sipPort}`
  const { log, exited, kill } = spawnLogged('linphone', [
    'env',
    `HOME=${dir}`,
    'linphone-daemon',
    '--pipe',
    pipe,
    '--config',
    join(dir, 'linphonerc'),
    '--disable-stats-events',
    '--log',
    logFile,
  ])
  // Its own log (SIP messages included) is a file, kept when it stops (its folder goes).
  let kept: string | undefined
  const ownLog = (): string => kept ?? (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
  const stopped = keepTrace(`linphone-${options.user}.log`, () => [...log, ownLog()].join('\n'))

  const socket = await Promise.race([
    connectWithRetry(() => connectTo(join('/tmp', pipe)), 10_000),
    exited,
  ])
  // One command at a time (the daemon reads one per message and marks no end of its
  // answer): an answer is what arrives after the command, once it has a status line.
  let buffer = ''
  let pending: ((text: string) => void) | undefined
  let queue: Promise<unknown> = Promise.resolve()
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    buffer += chunk
    if (pending && /^Status: /m.test(buffer) && buffer.endsWith('\n')) {
      const text = buffer
      buffer = ''
      const done = pending
      pending = undefined
      done(text)
    }
  })
  // A daemon that went away answers every command, waiting or to come, as failed.
  const gone = 'Status: Error\nReason: linphone-daemon went away\n'
  socket.on('error', () => undefined)
  socket.on('close', () => {
    const done = pending
    pending = undefined
    done?.(gone)
  })
  const send = (line: string): Promise<string> => {
    const run = queue.then(
      () =>
        new Promise<string>((resolve) => {
          if (socket.destroyed) return resolve(gone)
          buffer = ''
          pending = resolve
          socket.write(`${line}\n`)
        }),
    )
    queue = run.catch(() => undefined)
    return run
  }
  const command = async (line: string): Promise<LinphoneFields> => {
    const answer = fields(await send(line))
    if (answer.Status !== 'Ok')
      throw new Error(`linphone: "${line}" failed: ${answer.Reason ?? JSON.stringify(answer)}`)
    return answer
  }

  const calls = eventLog<LinphoneFields>('linphone', (e) => e.Event)
  let polling = true
  // The daemon queues call events until asked; they are popped while anyone may wait.
  const poll = async (): Promise<void> => {
    while (polling) {
      const event = fields(await send('pop-event'))
      if (event.Event) {
        calls.push(event)
      } else await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  const uri = `sip:${options.user}@${options.host}`
  const farEnd: LinphoneFarEnd = {
    uri,
    events: calls.events,
    waitFor: calls.waitFor,
    command,
    playTone: async (id) => {
      await command(`incall-player-start ${join(dir, 'tone.wav')} ${id}`)
    },
    stop: async () => {
      polling = false
      kept = ownLog()
      stopped()
      socket.destroy()
      await kill()
      rmSync(dir, { recursive: true, force: true })
      rmSync(join('/tmp', pipe), { force: true })
    },
  }
  try {
    await command(`register ${uri} ${options.registrar} ${options.password} NULL NULL`)
    const deadline = Date.now() + 10_000
    for (;;) {
      const status = await send('register-status ALL')
      if (/LinphoneRegistrationOk/.test(status)) break
      if (Date.now() > deadline) throw new Error(`linphone did not register: ${status}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    void poll()
  } catch (error) {
    await farEnd.stop()
    throw new Error(`${String(error)}\nlinphone said:\n${log.slice(-30).join('\n')}`, {
      cause: error,
    })
  }
  return farEnd
}

/** A WAV file (8 kHz, 16-bit mono) of a sine at `hz` lasting `seconds`. */
function sineWave(hz: number, seconds: number): Buffer {
  const rate = 8000
  const samples = rate * seconds
  const wav = Buffer.alloc(44 + samples * 2)
  wav.write('RIFF', 0)
  wav.writeUInt32LE(36 + samples * 2, 4)
  wav.write('WAVEfmt ', 8)
  wav.writeUInt32LE(16, 16)
  wav.writeUInt16LE(1, 20) // PCM
  wav.writeUInt16LE(1, 22) // mono
  wav.writeUInt32LE(rate, 24)
  wav.writeUInt32LE(rate * 2, 28)
  wav.writeUInt16LE(2, 32)
  wav.writeUInt16LE(16, 34)
  wav.write('data', 36)
  wav.writeUInt32LE(samples * 2, 40)
  for (let i = 0; i < samples; i++)
    wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2)
  return wav
}

/** Connects to a Unix socket. */
function connectTo(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => resolve(socket))
    socket.once('error', reject)
  })
}
