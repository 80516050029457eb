/**
 * SIP accounts as the UI edits them: several saved, one active. The form holds the account
 * being edited; passwords never reach localStorage: the desktop app keeps them encrypted in
 * its vault (safeStorage), the web build in memory only, and the UI says which.
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import {
  accountToRegister,
  type SipAccount,
  accountProblem,
  parseAccounts,
  parsePasswords,
  removeAccount,
  sameAccount,
  upsertAccount,
  type SavedAccount,
} from '../../core/sip/accounts'
import type { HoldfastBridge } from '../../host/electron-host'
import { readLocalJson, writeLocalJson } from './local-json'

const ACCOUNTS_KEY = 'holdfast.sip-accounts'
const ACTIVE_KEY = 'holdfast.sip-active'
/** Where one account was kept before several were. */
const LEGACY_KEY = 'holdfast.sip-account'

type Vault = Pick<HoldfastBridge, 'getSecret' | 'setSecret'>

const blank = (): SavedAccount => ({
  uri: '',
  registrar: '',
  displayName: '',
  authUser: '',
  outboundProxy: '',
  transport: 'udp',
  dtmfMode: 'rfc2833',
  voicemail: '',
})

export const useAccountsStore = defineStore('accounts', () => {
  const legacy = readLocalJson<unknown>(LEGACY_KEY, undefined)
  const list = ref<SavedAccount[]>(
    parseAccounts(readLocalJson<unknown>(ACCOUNTS_KEY, legacy ? [legacy] : [])),
  )
  const activeUri = ref(readLocalJson<string>(ACTIVE_KEY, list.value[0]?.uri ?? ''))
  const active = () => list.value.find((a) => sameAccount(a.uri, activeUri.value))
  /** The account being edited. */
  const form = reactive<SavedAccount>({ ...(active() ?? blank()) })
  const password = ref('')
  const passwords: Record<string, string> = {}
  let vault: Vault | undefined
  const kept = ref<'memory' | 'vault' | 'memory-no-keyring'>('memory')
  const passwordNote = computed(() => {
    switch (kept.value) {
      case 'vault':
        return 'Passwords are kept encrypted by the system (safeStorage).'
      case 'memory-no-keyring':
        return 'No system keyring is available, so passwords are kept in memory only and asked for again after a restart.'
      default:
        return 'In the web build passwords are kept in memory only and forgotten on reload.'
    }
  })

  function persist(): void {
    writeLocalJson(ACCOUNTS_KEY, list.value)
    writeLocalJson(ACTIVE_KEY, activeUri.value)
    window.localStorage.removeItem(LEGACY_KEY)
  }

  /** Uses the desktop vault; resolves with whether the active account has a password. */
  async function useVault(desktopVault: Vault): Promise<boolean> {
    vault = desktopVault
    kept.value = 'vault'
    Object.assign(passwords, parsePasswords(await vault.getSecret('sipPasswords')))
    if (password.value === '' && form.uri) password.value = passwords[form.uri] ?? ''
    return password.value !== ''
  }

  /** Shows a saved account in the form (or a blank one for a new account). */
  function select(uri: string): void {
    const account = list.value.find((a) => sameAccount(a.uri, uri))
    Object.assign(form, account ?? blank())
    password.value = account ? (passwords[account.uri] ?? '') : ''
  }

  /** Saves the form as the active account; the account to register, or why it cannot be. */
  function save(): SipAccount | string {
    const account: SavedAccount = {
      ...form,
      uri: form.uri.trim(),
      registrar: form.registrar.trim(),
    }
    const problem = accountProblem(account)
    if (problem) return problem
    list.value = upsertAccount(list.value, account)
    activeUri.value = account.uri
    passwords[account.uri] = password.value
    persist()
    if (vault)
      void vault
        .setSecret('sipPasswords', JSON.stringify(passwords))
        .then((stored) => (kept.value = stored ? 'vault' : 'memory-no-keyring'))
    return accountToRegister(account, password.value)
  }

  /** Forgets a saved account and its password. */
  function forget(uri: string): void {
    list.value = removeAccount(list.value, uri)
    delete passwords[uri]
    if (sameAccount(activeUri.value, uri)) activeUri.value = list.value[0]?.uri ?? ''
    persist()
    if (vault) void vault.setSecret('sipPasswords', JSON.stringify(passwords))
    select(activeUri.value)
  }

  return {
    list,
    activeUri,
    form,
    password,
    passwordNote,
    hasActive: computed(() => active() !== undefined),
    useVault,
    select,
    save,
    forget,
  }
})
