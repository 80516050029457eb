/**
 * `serve-cli.ts <dir> <port>`: the static page server as a process (run inside a namespace);
 * with HOLDFAST_LAB_TOKEN_SECRET set it also runs the lab's token service.
 */
import { serveStatic, tokenServiceFromEnv } from './static-server'

const [dir = 'out/renderer', port = '8080'] = process.argv.slice(2)
const server = await serveStatic(dir, '127.0.0.1', Number(port), tokenServiceFromEnv())
process.stdout.write(`${server.url}\n`)
