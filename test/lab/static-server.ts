/** A tiny static file server for the web build (tests and `npm run web`). */
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { extname, join, normalize, resolve } from 'node:path'
import { signToken } from './tokens'

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
}

export interface StaticServer {
  url: string
  close(): Promise<void>
}

/**
 * A token service beside the pages (issue 14): `GET /token?who=<page>` answers a Janus token
 * signed with the lab server's secret, valid `lifeS` seconds; `GET /token-log` lists what was
 * handed out, so a test sees every page fetch a new token once the old one expired.
 */
export interface LabTokenService {
  secret: string
  lifeS: number
  plugins: string[]
}

/** One token handed out. */
export interface IssuedToken {
  who: string
  at: number
  expiresAt: number
}

/** Reads the token service's settings from the environment serve-cli was started with. */
export function tokenServiceFromEnv(env = process.env): LabTokenService | undefined {
  const secret = env.HOLDFAST_LAB_TOKEN_SECRET
  if (!secret) return undefined
  return {
    secret,
    lifeS: Number(env.HOLDFAST_LAB_TOKEN_LIFE_S ?? '3600'),
    plugins: (env.HOLDFAST_LAB_TOKEN_PLUGINS ?? '').split(',').filter(Boolean),
  }
}

/** Serves `root` on host:port (port 0 picks a free one), with the lab's token service if given. */
export async function serveStatic(
  root: string,
  host = '127.0.0.1',
  port = 0,
  tokens?: LabTokenService,
): Promise<StaticServer> {
  const base = resolve(root)
  const issued: IssuedToken[] = []
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (tokens && url.pathname === '/token') {
      const expiresAt = Math.floor(Date.now() / 1000) + tokens.lifeS
      issued.push({ who: url.searchParams.get('who') ?? '', at: Date.now(), expiresAt })
      if (issued.length > 10_000) issued.splice(0, issued.length - 10_000)
      const token = signToken(tokens.secret, expiresAt, tokens.plugins)
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify({ token }))
      return
    }
    if (tokens && url.pathname === '/token-log') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify(issued))
      return
    }
    const path = decodeURIComponent(url.pathname)
    let file = normalize(join(base, path))
    if (!file.startsWith(base)) {
      res.writeHead(403).end()
      return
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html')
    if (!existsSync(file)) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    })
    createReadStream(file).pipe(res)
  })
  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(port, host, () => ok())
  })
  const address = server.address()
  const actual = typeof address === 'object' && address ? address.port : port
  return {
    url: `http://${host}:${actual}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  }
}
