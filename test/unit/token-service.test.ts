import { describe, expect, it } from 'vitest'
import {
  readTokenResponse,
  tokenServiceProvider,
  type TokenResponse,
} from '../../renderer/core/session/token-service'
import { validateTokenUrl } from '../../renderer/core/settings'
import { FakeClock } from './support/fake-clock'

describe('the token service answer', () => {
  it('takes a JSON token or a plain one', () => {
    expect(readTokenResponse({ status: 200, body: '{"token":"abc,janus:xyz="}' })).toEqual({
      token: 'abc,janus:xyz=',
    })
    expect(readTokenResponse({ status: 200, body: ' plain-token\n' })).toEqual({
      token: 'plain-token',
    })
  })

  it('refuses an error status, broken JSON, an empty token and anything that is not a token', () => {
    expect(readTokenResponse({ status: 401, body: 'x' })).toEqual({
      why: 'the token service answered 401',
    })
    expect(readTokenResponse({ status: 200, body: '{"token":' })).toEqual({
      why: 'the token service answered with broken JSON',
    })
    expect(readTokenResponse({ status: 200, body: '{"token":42}' })).toEqual({
      why: 'the token service sent no token',
    })
    expect(readTokenResponse({ status: 200, body: '<html> login </html>' })).toEqual({
      why: 'the token service sent something that is not a token',
    })
    expect(readTokenResponse({ status: 200, body: 'a'.repeat(5000) })).toMatchObject({
      why: expect.any(String),
    })
  })
})

describe('the token service provider', () => {
  it('fetches the URL and gives the token', async () => {
    const clock = new FakeClock()
    const asked: string[] = []
    const provider = tokenServiceProvider({
      url: '/token?who=me',
      clock,
      fetch: async (url) => (asked.push(url), { status: 200, body: '{"token":"t1"}' }),
    })
    await expect(provider.refreshToken()).resolves.toBe('t1')
    expect(asked).toEqual(['/token?who=me'])
  })

  it('gives no token, and says why, when the service fails, is unreachable or hangs', async () => {
    const clock = new FakeClock()
    const why: string[] = []
    let answer: () => Promise<TokenResponse> = async () => ({ status: 503, body: '' })
    const provider = tokenServiceProvider({
      url: 'https://auth.example/token',
      clock,
      timeoutMs: 1000,
      fetch: () => answer(),
      onFailure: (w) => why.push(w),
    })
    await expect(provider.refreshToken()).resolves.toBeUndefined()
    answer = async () => {
      throw new Error('Failed to fetch')
    }
    await expect(provider.refreshToken()).resolves.toBeUndefined()
    answer = () => new Promise(() => undefined)
    const hanging = provider.refreshToken()
    await clock.advance(1000)
    await expect(hanging).resolves.toBeUndefined()
    expect(why).toEqual([
      'the token service answered 503',
      'the token service could not be reached (Failed to fetch)',
      'the token service did not answer within 1000 ms',
    ])
  })
})

describe('the token service setting', () => {
  it('takes nothing, a path on the app’s origin, or an http(s) URL', () => {
    expect(validateTokenUrl('  ')).toEqual({ ok: true, value: undefined })
    expect(validateTokenUrl('/token?who=me')).toEqual({ ok: true, value: '/token?who=me' })
    expect(validateTokenUrl('https://auth.example/janus')).toEqual({
      ok: true,
      value: 'https://auth.example/janus',
    })
  })

  it('refuses what is not one, credentials in the URL, and clear text when refused', () => {
    expect(validateTokenUrl('//evil.example/x')).toMatchObject({ ok: false })
    expect(validateTokenUrl('ftp://host/x')).toEqual({
      ok: false,
      error: 'Token service: use https://, not ftp://.',
    })
    expect(validateTokenUrl('https://me:pw@auth.example/')).toEqual({
      ok: false,
      error: 'Token service: put no user name or password in the URL.',
    })
    expect(validateTokenUrl('http://auth.example/t', { refuseCleartext: true })).toMatchObject({
      ok: false,
    })
    expect(validateTokenUrl('http://127.0.0.1:9000/t', { refuseCleartext: true })).toMatchObject({
      ok: true,
    })
  })
})
