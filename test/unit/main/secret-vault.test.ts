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

  it('a ciphertext it cannot decrypt now is kept and reported, and read once the key is back', async () => {
    const store = memory()
    const safe = fakeSafeStorage()
    const vault = new SecretVault(safe, store, 'linux')
    await vault.set('token', 'kept-token')
    const decrypt = safe.decryptStringAsync
    safe.decryptStringAsync = async () => {
      throw new Error('the keyring is locked')
    }
    expect(await vault.get('token')).toBeUndefined()
    expect(store.data.has('token')).toBe(true)
    const status = await vault.availability()
    expect(status.unreadable).toEqual(['token'])
    expect(status.reason).toMatch(/could not be decrypted.*It is kept/)
    safe.decryptStringAsync = decrypt
    expect(await vault.get('token')).toBe('kept-token')
    expect((await vault.availability()).unreadable).toBeUndefined()
  })

  it('a failed re-encryption keeps the old ciphertext and still returns the secret', async () => {
    const store = memory()
    const safe = fakeSafeStorage()
    const vault = new SecretVault(safe, store, 'linux')
    await vault.set('apiSecret', 'the-secret')
    const before = store.data.get('apiSecret')
    const decrypt = safe.decryptStringAsync
    safe.decryptStringAsync = async (cipher) => ({
      ...(await decrypt(cipher)),
      shouldReEncrypt: true,
    })
    safe.encryptStringAsync = async () => {
      throw new Error('encryption backend gone')
    }
    expect(await vault.get('apiSecret')).toBe('the-secret')
    expect(store.data.get('apiSecret')).toBe(before)
    expect(await vault.set('apiSecret', 'new-value')).toBe(false)
    expect(store.data.get('apiSecret')).toBe(before)
  })

  it('asks the backend again after it was unavailable, and remembers it once usable', async () => {
    let available = false
    let asked = 0
    const safe = fakeSafeStorage()
    safe.isAsyncEncryptionAvailable = async () => (asked++, available)
    const vault = new SecretVault(safe, memory(), 'linux')
    expect((await vault.availability()).persistent).toBe(false)
    available = true
    expect((await vault.availability()).persistent).toBe(true)
    expect(await vault.set('token', 't')).toBe(true)
    const askedOnceUsable = asked
    await vault.get('token')
    expect(asked).toBe(askedOnceUsable)
  })
})
