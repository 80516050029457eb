import { describe, expect, it } from 'vitest'
import { validators } from '../../../preload/ipc-contract'
import { fetchTokenText, maxTokenBody, tokenUrlRefusal } from '../../../main/token-fetch'

describe('main fetching the token service for the desktop page', () => {
  it('fetches https, or http to this computer, and nothing else', () => {
    expect(tokenUrlRefusal('https://auth.example/janus-token')).toBeUndefined()
    expect(tokenUrlRefusal('http://127.0.0.1:9000/token')).toBeUndefined()
    expect(tokenUrlRefusal('http://localhost/token')).toBeUndefined()
    expect(tokenUrlRefusal('http://auth.example/token')).toBe(
      'only https:// (or http:// to this computer)',
    )
    expect(tokenUrlRefusal('file:///etc/passwd')).toBe(
      'only https:// (or http:// to this computer)',
    )
    expect(tokenUrlRefusal('https://me:pw@auth.example/')).toBe('credentials in the URL')
    expect(tokenUrlRefusal('/token')).toBe('not an absolute URL')
  })

  it('the IPC contract takes one http(s) URL of sane length', () => {
    const check = validators['tokens:fetch']
    expect(check(['https://auth.example/t'])).toEqual(['https://auth.example/t'])
    expect(check(['file:///etc/passwd'])).toBeUndefined()
    expect(check([`https://a.example/${'x'.repeat(3000)}`])).toBeUndefined()
    expect(check(['https://a.example/', 'more'])).toBeUndefined()
    expect(check([42])).toBeUndefined()
  })

  it('asks without redirects or cookies, and bounds the body', async () => {
    const seen: unknown[] = []
    const answer = await fetchTokenText('https://auth.example/t', async (url, init) => {
      seen.push({ url, redirect: init.redirect, credentials: init.credentials })
      return { status: 200, text: async () => 'x'.repeat(maxTokenBody * 2) }
    })
    expect(seen).toEqual([
      { url: 'https://auth.example/t', redirect: 'error', credentials: 'omit' },
    ])
    expect(answer.status).toBe(200)
    expect(answer.body).toHaveLength(maxTokenBody)
  })

  it('refuses before any request leaves', async () => {
    let asked = false
    await expect(
      fetchTokenText('http://auth.example/t', async () => {
        asked = true
        return { status: 200, text: async () => 'token' }
      }),
    ).rejects.toThrow(
      'the token service URL is refused: only https:// (or http:// to this computer)',
    )
    expect(asked).toBe(false)
  })
})
