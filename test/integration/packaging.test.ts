/**
 * What can be checked of packaging without Electron's zip: electron-builder.yml passes
 * electron-builder's own schema, names the targets and channels the product ships, includes
 * the built files, and its main entry points at the built main; the built preload is one
 * CommonJS file that a sandboxed renderer can load.
 */
import { existsSync, readFileSync } from 'node:fs'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { DebugLogger } from 'builder-util'
import { beforeAll, describe, expect, it } from 'vitest'

const root = process.cwd()
let config: Record<string, unknown>

beforeAll(async () => {
  config = (await getConfig(root, null, null)) as unknown as Record<string, unknown>
})

describe('electron-builder configuration', () => {
  it("passes electron-builder's own schema", async () => {
    await expect(
      validateConfiguration(config as never, new DebugLogger(false)),
    ).resolves.toBeUndefined()
  })

  it('the schema check does catch a broken configuration', async () => {
    await expect(
      validateConfiguration(
        { ...config, linux: { target: 42 }, bogusKey: true } as never,
        new DebugLogger(false),
      ),
    ).rejects.toThrow()
  })

  it("sets every fuse Electron's security checklist asks for, as electron-builder reads them", () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    })
  })

  it('builds AppImage and deb, NSIS, dmg and zip, with update files for every channel', () => {
    const targets = (platform: string) => (config[platform] as { target: string[] }).target
    expect(targets('linux')).toEqual(['AppImage', 'deb'])
    expect(targets('win')).toEqual(['nsis'])
    expect(targets('mac')).toEqual(['dmg', 'zip'])
    expect(config.generateUpdatesFilesForAllChannels).toBe(true)
    expect(config.publish).toMatchObject({
      provider: 'generic',
      url: expect.stringMatching(/^https:\/\//),
    })
    expect(config.appId).toBe('org.holdfast.desktop')
    const schemes = (config.protocols as { schemes: string[] }[]).flatMap((p) => p.schemes)
    expect(schemes).toEqual(expect.arrayContaining(['tel', 'sip', 'sips']))
    expect(config.productName).toBe('Holdfast')
  })

  it('ships the built app, with main pointing at the built main file and the icon in build/', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main: string }
    const filters = (config.files as ({ filter: string[] } | string)[]).flatMap((f) =>
      typeof f === 'string' ? [f] : f.filter,
    )
    expect(filters).toContain('out/**')
    expect((config.extraMetadata as { main: string }).main).toBe(pkg.main)
    expect(existsSync(pkg.main)).toBe(true) // the test command builds before this suite
    expect((config.directories as { buildResources: string }).buildResources).toBe('build')
    expect(existsSync('build/icon.png')).toBe(true)
    expect(config.extraResources).toEqual([{ from: 'build/icon.png', to: 'icon.png' }])
    expect(
      (config.mac as { extendInfo: Record<string, string> }).extendInfo
        .NSMicrophoneUsageDescription,
    ).toBeTruthy()
  })
})

describe('built preload', () => {
  const file = 'out/preload/index.cjs'

  it('is one CommonJS file that requires nothing but electron', () => {
    expect(existsSync(file)).toBe(true)
    const code = readFileSync(file, 'utf8')
    expect(code).not.toMatch(/^\s*import\s/m)
    expect(code).not.toMatch(/^\s*export\s/m)
    const required = [...code.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])
    expect(required.length).toBeGreaterThan(0)
    expect(new Set(required)).toEqual(new Set(['electron']))
  })

  it('exposes only verbs, never ipcRenderer itself', () => {
    const code = readFileSync(file, 'utf8')
    expect(code).toContain('exposeInMainWorld("holdfast"')
    expect(code).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/)
    for (const verb of [
      'loadSession',
      'saveSession',
      'clearSession',
      'onSystemEvent',
      'onPrepareQuit',
      'report',
    ])
      expect(code).toContain(verb)
  })
})
