import { describe, expect, it } from 'vitest'
import { SecretVault, type SafeStorageLike } from '../../../main/secret-vault'
import type { SecretName } from '../../../preload/ipc-contract'

/** A stand-in for safeStorage: XOR "encryption", enough to prove nothing plain is stored. */
function fakeSafeStorage(available = true, backend = 'gnome_libsecret'): SafeStorageLike {
  const flip = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a))
  return {
    isAsyncEncryptionAvailable: async () => available,
    encryptStringAsync: async (plain) => flip(Buffer.from(`v1:${plain}`)),
    decryptStringAsync: async (cipher) => ({
      result: flip(cipher).toString().replace(/^v1:/, ''),
      shouldReEncrypt: false,
    }),
    getSelectedStorageBackend: () => backend,
  }
}

function memory() {
  const data = new Map<SecretName, string>()
  return {
    data,
    get: (n: SecretName) => data.get(n),
    set: (n: SecretName, v: string) => void data.set(n, v),
    delete: (n: SecretName) => void data.delete(n),
  }
}

describe('secret vault (safeStorage)', () => {
  it('stores only ciphertext and reads the secret back', async () => {
    const store = memory()
    const vault = new SecretVault(fakeSafeStorage(), store, 'linux')
    expect(await vault.set('token', 'super-secret-token')).toBe(true)
    expect([...store.data.values()].join()).not.toContain('super-secret-token')
    expect(await vault.get('token')).toBe('super-secret-token')
    await vault.set('token', '')
    expect(await vault.get('token')).toBeUndefined()
  })

  it('without a secure backend nothing is persisted and the reason is given', async () => {
    for (const vault of [
      new SecretVault(fakeSafeStorage(false), memory(), 'linux'),
      new SecretVault(fakeSafeStorage(true, 'basic_text'), memory(), 'linux'),
    ]) {
      const status = await vault.availability()
      expect(status.persistent).toBe(false)
      expect(status.reason).toMatch(/memory only/)
      expect(await vault.set('apiSecret', 'x')).toBe(false)
      expect(await vault.get('apiSecret')).toBeUndefined()
    }
  })

  it('an unreadable ciphertext is dropped instead of crashing', async () => {
    const store = memory()
    const safe = fakeSafeStorage()
    safe.decryptStringAsync = async () => {
      throw new Error('key rotated away')
    }
    store.data.set('token', 'garbage')
    const vault = new SecretVault(safe, store, 'linux')
    expect(await vault.get('token')).toBeUndefined()
    expect(store.data.has('token')).toBe(false)
  })
})
