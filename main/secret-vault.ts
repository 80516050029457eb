/**
 * Secrets (API secret, tokens, later SIP passwords) encrypted with safeStorage's async API
 * and stored only as ciphertext. Where the OS has no secure backend (Linux without a
 * keyring falls back to `basic_text`), nothing is persisted and the user is told why.
 *
 * A secret is never lost by the vault itself (issue 12): a ciphertext that cannot be decrypted
 * now (a locked keyring, a rotated key) is kept and reported, a failed re-encryption keeps the
 * old ciphertext, and a backend that was unavailable is asked again next time.
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
  /** Stored secrets that could not be decrypted (kept on disk; entering them again replaces them). */
  unreadable?: SecretName[]
}

export class SecretVault {
  /** Only a usable backend is remembered: an unavailable one is asked again. */
  private usable: Promise<VaultStatus> | undefined
  private readonly unreadable = new Set<SecretName>()

  constructor(
    private readonly safe: SafeStorageLike,
    private readonly store: CipherStore,
    private readonly platform: string,
  ) {}

  /** Whether secrets can be kept across restarts, and if not, why. */
  async availability(): Promise<VaultStatus> {
    const status = await (this.usable ?? this.checkBackend())
    if (!status.persistent) return status
    this.usable ??= Promise.resolve(status)
    if (this.unreadable.size === 0) return status
    const names = [...this.unreadable]
    return {
      ...status,
      unreadable: names,
      reason: `The saved ${names.join(', ')} could not be decrypted (is the system keyring locked?). It is kept; enter it again to replace it.`,
    }
  }

  private checkBackend(): Promise<VaultStatus> {
    return (async (): Promise<VaultStatus> => {
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
    })().catch(() => ({
      persistent: false,
      reason: 'The system keyring did not answer; secrets are kept in memory only for now.',
    }))
  }

  /**
   * Encrypts and stores; false when secrets cannot be persisted here or the encryption failed
   * (the stored ciphertext, if any, is then left as it was).
   */
  async set(name: SecretName, value: string): Promise<boolean> {
    if (!(await this.availability()).persistent) return false
    if (value === '') {
      this.store.delete(name)
      this.unreadable.delete(name)
      return true
    }
    let cipher: Buffer
    try {
      cipher = await this.safe.encryptStringAsync(value)
    } catch {
      return false
    }
    this.store.set(name, cipher.toString('base64'))
    this.unreadable.delete(name)
    return true
  }

  /** The secret, or undefined when none is stored or it cannot be decrypted now (kept). */
  async get(name: SecretName): Promise<string | undefined> {
    if (!(await this.availability()).persistent) return undefined
    const stored = this.store.get(name)
    if (stored === undefined) return undefined
    let plain: { result: string; shouldReEncrypt: boolean }
    try {
      plain = await this.safe.decryptStringAsync(Buffer.from(stored, 'base64'))
    } catch {
      this.unreadable.add(name)
      return undefined
    }
    this.unreadable.delete(name)
    // A fresher key is wanted; the old ciphertext stays if re-encrypting fails.
    if (plain.shouldReEncrypt) await this.set(name, plain.result)
    return plain.result
  }
}
