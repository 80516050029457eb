/** The session store with `conf` (what electron-store extends) and the same options. */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Conf from 'conf'
import { describe, expect, it, vi } from 'vitest'
import {
  quarantineCorruptFile,
  SessionStoreService,
  sessionStoreOptions,
  type SessionFile,
} from '../../../main/session-store'

const record = {
  version: 1 as const,
  serverUrl: 'ws://janus:8188',
  sessionId: 77,
  handles: [{ plugin: 'janus.plugin.echotest', id: 9 }],
  lastRequestAt: 1_000_000,
  sessionTimeoutS: 60,
  reclaimSessionTimeoutS: 15,
}

function open(dir: string, now: number, log = { warn: vi.fn() }) {
  const store = new Conf<SessionFile>({
    ...sessionStoreOptions,
    cwd: dir,
    projectName: 'holdfast-test',
  })
  return { service: new SessionStoreService(store, () => now, log), store, log }
}

describe('session store (conf, the same options as electron-store)', () => {
  it('round-trips a record and clears it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-store-'))
    const { service, store } = open(dir, record.lastRequestAt + 1000)
    service.save(record)
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({ session: record })
    expect(open(dir, record.lastRequestAt + 1000).service.load()).toEqual(record)
    service.clear()
    expect(open(dir, record.lastRequestAt + 1000).service.load()).toBeUndefined()
  })

  it('the schema refuses a malformed record', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-store-'))
    const { store } = open(dir, 0)
    expect(() => store.set('session', { ...record, sessionId: -5 })).toThrow()
  })

  it('drops a record older than its windows on load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-store-'))
    open(dir, 0).service.save(record)
    const later = open(dir, record.lastRequestAt + 61_000 + 5_000)
    expect(later.service.load()).toBeUndefined()
    expect(later.store.get('session')).toBeUndefined()
    const detached = { ...record, detachedAt: record.lastRequestAt + 1000 }
    open(dir, 0).service.save(detached)
    expect(open(dir, detached.detachedAt + 15_000 + 5_001).service.load()).toBeUndefined()
  })

  it('a corrupted file is moved aside with a warning and the store starts empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-store-'))
    const path = open(dir, 0).store.path
    writeFileSync(path, '{"session": {"version": 1, "serverUrl": "ws://x", "sessi')
    const warn = vi.fn()
    expect(quarantineCorruptFile(path, { warn })).toBe(true)
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('not valid JSON'))
    expect(existsSync(`${path}.corrupt`)).toBe(true)
    const { service } = open(dir, 0)
    expect(service.load()).toBeUndefined()
    service.save(record)
    expect(open(dir, record.lastRequestAt).service.load()).toEqual(record)
    expect(quarantineCorruptFile(path, { warn })).toBe(false)
  })

  it('a record that passes JSON but not our validation is dropped with a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-store-'))
    const path = open(dir, 0).store.path
    writeFileSync(path, JSON.stringify({ session: { version: 7 } }))
    const opened = new Conf<SessionFile>({
      ...sessionStoreOptions,
      schema: undefined,
      cwd: dir,
      projectName: 'holdfast-test',
    } as never)
    const warn = vi.fn()
    expect(new SessionStoreService(opened, () => 0, { warn }).load()).toBeUndefined()
    expect(warn).toHaveBeenCalled()
  })
})
