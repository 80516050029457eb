/**
 * Secrets (API secret, tokens, later SIP passwords) encrypted with safeStorage's async API
 * and stored only as ciphertext. Where the OS has no secure backend (Linux without a
 * keyring falls back to `basic_text`), nothing is persisted and the user is told why.
 */
import type { SecretName } from '../preload/ipc-contract'

/** The part of Electron's safeStorage the vault uses. */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>
  encryptStringAsync(plain: string): Promise<Buffer>
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>
  getSelectedStorageBackend?(): string
}

/** Where ciphertext lives (base64 strings by name). */
export interface CipherStore {
  get(name: SecretName): string | undefined
  set(name: SecretName, cipher: string): void
  delete(name: SecretName): void
}

export interface VaultStatus {
  persistent: boolean
  reason?: string
}

export class SecretVault {
  private status: Promise<VaultStatus> | undefined

  constructor(
    private readonly safe: SafeStorageLike,
    private readonly store: CipherStore,
    private readonly platform: string,
  ) {}

  /** Whether secrets can be kept across restarts, and if not, why. */
  availability(): Promise<VaultStatus> {
    this.status ??= (async () => {
      if (!(await this.safe.isAsyncEncryptionAvailable())) {
        return {
          persistent: false,
          reason: 'This system offers no secure storage; secrets are kept in memory only.',
        }
      }
      if (this.platform === 'linux' && this.safe.getSelectedStorageBackend?.() === 'basic_text') {
        return {
          persistent: false,
          reason:
            'No keyring (GNOME Keyring or KWallet) is running; secrets are kept in memory only.',
        }
      }
      return { persistent: true }
    })()
    return this.status
  }

  /** Encrypts and stores; false when secrets cannot be persisted here. */
  async set(name: SecretName, value: string): Promise<boolean> {
    if (!(await this.availability()).persistent) return false
    if (value === '') {
      this.store.delete(name)
      return true
    }
    const cipher = await this.safe.encryptStringAsync(value)
    this.store.set(name, cipher.toString('base64'))
    return true
  }

  async get(name: SecretName): Promise<string | undefined> {
    if (!(await this.availability()).persistent) return undefined
    const stored = this.store.get(name)
    if (stored === undefined) return undefined
    try {
      const { result, shouldReEncrypt } = await this.safe.decryptStringAsync(
        Buffer.from(stored, 'base64'),
      )
      if (shouldReEncrypt) await this.set(name, result)
      return result
    } catch {
      this.store.delete(name)
      return undefined
    }
  }
}
