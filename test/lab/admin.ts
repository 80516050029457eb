/** The Janus Admin API over WebSocket: the server-side truth tests check against. */
import WebSocket from 'ws'

/** Sends one Admin API request and returns the reply. */
export async function adminRequest(
  adminUrl: string,
  secret: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const ws = new WebSocket(adminUrl, 'janus-admin-protocol')
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    const transaction = `admin-${Math.random().toString(36).slice(2)}`
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>
        if (message.transaction === transaction) resolve(message)
      })
      ws.once('close', () => reject(new Error('admin socket closed')))
    })
    ws.send(JSON.stringify({ ...body, transaction, admin_secret: secret }))
    // A server that takes the request and never answers must not stall a test for ever.
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`admin ${String(body.janus)}: no answer in 10 s`)),
        10_000,
      )
    })
    try {
      return await Promise.race([reply, late])
    } finally {
      clearTimeout(timer)
    }
  } finally {
    ws.close()
  }
}

/** Session ids alive on the server. */
export async function listSessions(adminUrl: string, secret: string): Promise<number[]> {
  const reply = await adminRequest(adminUrl, secret, { janus: 'list_sessions' })
  return (reply.sessions as number[] | undefined) ?? []
}

/** Handle ids of a session (empty if the session is gone). */
export async function listHandles(
  adminUrl: string,
  secret: string,
  sessionId: number,
): Promise<number[]> {
  const reply = await adminRequest(adminUrl, secret, {
    janus: 'list_handles',
    session_id: sessionId,
  })
  return (reply.handles as number[] | undefined) ?? []
}

/** Full handle information (plugin, WebRTC state). */
export async function handleInfo(
  adminUrl: string,
  secret: string,
  sessionId: number,
  handleId: number,
): Promise<Record<string, unknown>> {
  const reply = await adminRequest(adminUrl, secret, {
    janus: 'handle_info',
    session_id: sessionId,
    handle_id: handleId,
  })
  return (reply.info as Record<string, unknown> | undefined) ?? {}
}
