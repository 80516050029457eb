/**
 * The update logic with the real electron-updater (AppImage updater) against a local HTTP
 * feed that serves channel files and a payload: the right channel file is fetched, newer
 * versions are offered and older ones not (unless the user moved to a more stable channel),
 * a download found during a call waits for the call to end, and restarting is the user's call.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NodeUpdateExecutor } from '../lab/node-update-executor'
import { AppImageUpdater } from 'electron-updater/out/AppImageUpdater'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { UpdateChannel, UpdateStatus } from '../../preload/ipc-contract'
import { UpdateService, type UpdaterLike } from '../../main/updates/update-service'
import { realClock } from '../lab/node-runtime'

const payload = randomBytes(64 * 1024)
const sha512 = createHash('sha512').update(payload).digest('base64')
const channelFile = (version: string) =>
  [
    `version: ${version}`,
    'files:',
    `  - url: Holdfast-${version}.AppImage`,
    `    sha512: ${sha512}`,
    `    size: ${payload.length}`,
    `path: Holdfast-${version}.AppImage`,
    `sha512: ${sha512}`,
    "releaseDate: '2026-11-20T00:00:00.000Z'",
    '',
  ].join('\n')

let server: Server
let feedUrl: string
const requests: string[] = []
const feed: Record<string, string> = {
  '/latest-linux.yml': channelFile('1.2.0'),
  '/beta-linux.yml': channelFile('1.3.0-beta.1'),
  '/alpha-linux.yml': channelFile('1.4.0-alpha.3'),
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    requests.push(path)
    if (feed[path]) res.writeHead(200, { 'content-type': 'text/yaml' }).end(feed[path])
    else if (path.endsWith('.AppImage'))
      res.writeHead(200, { 'content-length': payload.length }).end(payload)
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  feedUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** A real AppImageUpdater for an installed `version`, talking to the local feed over Node's HTTP. */
function realUpdater(version: string): UpdaterLike {
  const dir = mkdtempSync(join(tmpdir(), 'hf-update-'))
  writeFileSync(
    join(dir, 'app-update.yml'),
    'provider: generic\nurl: http://unused.invalid/\nupdaterCacheDirName: holdfast-updater\n',
  )
  writeFileSync(join(dir, 'old.AppImage'), 'old build')
  process.env.APPIMAGE = join(dir, 'old.AppImage')
  const app = {
    version,
    name: 'Holdfast',
    isPackaged: true,
    appUpdateConfigPath: join(dir, 'app-update.yml'),
    userDataPath: join(dir, 'userData'),
    baseCachePath: join(dir, 'cache'),
    whenReady: async () => undefined,
    quit: () => undefined,
    relaunch: () => undefined,
    onQuit: () => undefined,
  }
  const updater = new AppImageUpdater(undefined, app as never)
  ;(updater as unknown as { httpExecutor: unknown }).httpExecutor = new NodeUpdateExecutor()
  updater.logger = null
  return updater as unknown as UpdaterLike
}

function service(version: string, channel: UpdateChannel, inCall: { value: boolean }) {
  const statuses: UpdateStatus[] = []
  const updater = realUpdater(version)
  const svc = new UpdateService(updater, {
    clock: realClock,
    random: Math.random,
    currentVersion: version,
    feedUrl,
    channel,
    isInCall: () => inCall.value,
    onStatus: (s) => statuses.push(s),
    log: () => undefined,
  })
  return { svc, statuses, updater }
}

describe('updates against a local feed, with the real electron-updater', () => {
  it('fetches the chosen channel file and offers a newer version, downloading it', async () => {
    requests.length = 0
    const { svc, statuses } = service('1.1.0', 'latest', { value: false })
    await expect(svc.check()).resolves.toEqual({ kind: 'ready', version: '1.2.0' })
    expect(requests).toContain('/latest-linux.yml')
    expect(requests).not.toContain('/beta-linux.yml')
    expect(requests).toContain('/Holdfast-1.2.0.AppImage')
    // Progress repeats 'downloading'; the sequence of distinct steps is what a person sees.
    const steps = statuses.map((s) => s.kind).filter((kind, i, all) => kind !== all[i - 1])
    expect(steps).toEqual(['checking', 'available', 'downloading', 'ready'])
  })

  it('the beta and alpha channels fetch their own files and offer prereleases', async () => {
    requests.length = 0
    const beta = service('1.2.0', 'beta', { value: false })
    await expect(beta.svc.check()).resolves.toEqual({ kind: 'ready', version: '1.3.0-beta.1' })
    expect(requests).toContain('/beta-linux.yml')
    const alpha = service('1.2.0', 'alpha', { value: false })
    await expect(alpha.svc.check()).resolves.toMatchObject({ version: '1.4.0-alpha.3' })
    expect(requests).toContain('/alpha-linux.yml')
  })

  it('an older version is not offered', async () => {
    const { svc } = service('1.2.5', 'latest', { value: false })
    await expect(svc.check()).resolves.toEqual({ kind: 'up-to-date', version: '1.2.5' })
  })

  it('moving from beta to the stable channel offers the older stable build', async () => {
    const { svc } = service('1.3.0-beta.1', 'beta', { value: false })
    await expect(svc.check()).resolves.toEqual({ kind: 'up-to-date', version: '1.3.0-beta.1' })
    await expect(svc.setChannel('latest')).resolves.toEqual({ kind: 'ready', version: '1.2.0' })
  })

  it("a download found during a call is deferred until the call ends; restart is the user's choice", async () => {
    requests.length = 0
    const inCall = { value: true }
    const { svc, updater } = service('1.1.0', 'latest', inCall)
    const quitAndInstall = vi.spyOn(updater, 'quitAndInstall').mockImplementation(() => undefined)
    await expect(svc.check()).resolves.toEqual({
      kind: 'deferred',
      version: '1.2.0',
      reason: 'waiting for the call to end',
    })
    expect(requests.filter((r) => r.endsWith('.AppImage'))).toEqual([])
    await svc.onCallStateChanged(true)
    expect(svc.status.kind).toBe('deferred')
    inCall.value = false
    await svc.onCallStateChanged(false)
    expect(svc.status).toEqual({ kind: 'ready', version: '1.2.0' })
    expect(quitAndInstall).not.toHaveBeenCalled()
    inCall.value = true
    expect(svc.restartToUpdate()).toBe(false)
    inCall.value = false
    expect(svc.restartToUpdate()).toBe(true)
    expect(quitAndInstall).toHaveBeenCalledTimes(1)
  })
})
