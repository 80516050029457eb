/**
 * A voicemail server for the SIP lab, as small as RFC 3842 allows: it accepts SUBSCRIBEs for
 * `message-summary` (200 OK), answers each with a NOTIFY of the current counts, and sends a
 * NOTIFY to every live subscription whenever the test changes the counts. It is the notifier
 * a PBX would be; the registrar routes requests for its user here.
 */
import { createSocket, type RemoteInfo } from 'node:dgram'
import { freeUdpPort } from './sip-registrar'

export interface VoicemailServer {
  /** `sip:host:port`, where the registrar sends the voicemail user's requests. */
  uri: string
  /** Sets the counts and notifies every subscriber. */
  setMessages(newCount: number, oldCount: number): void
  /** SUBSCRIBEs received so far (refreshes included). */
  subscribes(): number
  stop(): Promise<void>
}

interface Subscription {
  callId: string
  /** The subscriber's From (with its tag): our To. */
  remote: string
  /** The SUBSCRIBE's To with our tag: our From. */
  local: string
  /** Where NOTIFYs go (the subscriber's Contact). */
  contact: { host: string; port: number; uri: string }
  cseq: number
}

const headerOf = (message: string, name: string, short?: string): string | undefined => {
  const pattern = new RegExp(`^(?:${name}${short ? `|${short}` : ''})\\s*:\\s*(.*)$`, 'im')
  return pattern.exec(message)?.[1]?.trim()
}
const allHeaders = (message: string, name: string, short: string): string[] =>
  message.split('\r\n').filter((line) => new RegExp(`^(?:${name}|${short})\\s*:`, 'i').test(line))

const random = (): string => Math.random().toString(36).slice(2, 10)

/** Starts the server on `host` (a free UDP port). */
export async function startVoicemailServer(
  host: string,
  mailbox: string,
): Promise<VoicemailServer> {
  const port = await freeUdpPort(host)
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(port, host, resolve))
  const subscriptions = new Map<string, Subscription>()
  let counts = { newCount: 0, oldCount: 0 }
  let subscribes = 0

  const send = (text: string, to: { host: string; port: number }): void => {
    socket.send(Buffer.from(text), to.port, to.host)
  }

  const notify = (sub: Subscription): void => {
    const body =
      `Messages-Waiting: ${counts.newCount > 0 ? 'yes' : 'no'}\r\n` +
      `Message-Account: ${mailbox}\r\n` +
      `Voice-Message: ${counts.newCount}/${counts.oldCount} (0/0)\r\n`
    sub.cseq += 1
    send(
      [
        `NOTIFY ${sub.contact.uri} SIP/2.0`,
        `Via: SIP/2.0/UDP ${host}:${port};branch=z9hG4bK${random()};rport`,
        'Max-Forwards: 70',
        `From: ${sub.local}`,
        `To: ${sub.remote}`,
        `Call-ID: ${sub.callId}`,
        `CSeq: ${sub.cseq} NOTIFY`,
        `Contact: <sip:voicemail@${host}:${port}>`,
        'Event: message-summary',
        'Subscription-State: active;expires=3600',
        'Content-Type: application/simple-message-summary',
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n'),
      sub.contact,
    )
  }

  const onSubscribe = (message: string, from: RemoteInfo): void => {
    subscribes += 1
    const callId = headerOf(message, 'Call-ID', 'i') ?? ''
    const fromHeader = headerOf(message, 'From', 'f') ?? ''
    const toHeader = headerOf(message, 'To', 't') ?? ''
    const contactHeader = headerOf(message, 'Contact', 'm') ?? ''
    const contactUri = /<([^>]+)>/.exec(contactHeader)?.[1] ?? contactHeader.split(';')[0]!
    const where = /^sips?:(?:[^@]+@)?([^:;>]+)(?::(\d+))?/i.exec(contactUri)
    const existing = subscriptions.get(callId)
    const local =
      existing?.local ?? (/;tag=/.test(toHeader) ? toHeader : `${toHeader};tag=${random()}`)
    const expires = headerOf(message, 'Expires') ?? '3600'
    // The answer goes back along the Vias (the registrar's first).
    send(
      [
        'SIP/2.0 200 OK',
        ...allHeaders(message, 'Via', 'v'),
        `From: ${fromHeader}`,
        `To: ${local}`,
        `Call-ID: ${callId}`,
        `CSeq: ${headerOf(message, 'CSeq') ?? '1 SUBSCRIBE'}`,
        `Contact: <sip:voicemail@${host}:${port}>`,
        `Expires: ${expires}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
      { host: from.address, port: from.port },
    )
    if (expires === '0' || !where) {
      subscriptions.delete(callId)
      return
    }
    const sub: Subscription = existing ?? {
      callId,
      remote: fromHeader,
      local,
      contact: { host: where[1]!, port: Number(where[2] ?? 5060), uri: contactUri },
      cseq: 0,
    }
    subscriptions.set(callId, sub)
    notify(sub)
  }

  socket.on('message', (data, from) => {
    const message = data.toString()
    if (/^SUBSCRIBE /.test(message)) onSubscribe(message, from)
  })

  return {
    uri: `sip:${host}:${port}`,
    setMessages: (newCount, oldCount) => {
      counts = { newCount, oldCount }
      for (const sub of subscriptions.values()) notify(sub)
    },
    subscribes: () => subscribes,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
