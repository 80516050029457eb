/** Attaches a failing test's lab traces (Janus's log, the SIP lab's) to its results. */
import { readFileSync, writeFileSync } from 'node:fs'
import type { TestInfo } from '@playwright/test'
import type { RunningJanus } from './janus-process'
import { tracesSince } from './traces'

/**
 * Janus's log and the traces of lab processes started since `mark` (and the running ones),
 * attached as files; a digest of the SIP exchanges is printed too, because CI keeps only
 * what a run prints.
 */
export async function keepLabTraces(
  testInfo: TestInfo,
  janus: RunningJanus,
  mark: number,
): Promise<void> {
  await testInfo.attach('janus.log', { path: janus.logFile, contentType: 'text/plain' })
  const traces = tracesSince(mark, { includeRunning: true })
  for (const trace of traces) {
    // Written as files, so they stay in test-results whatever the reporter.
    const path = testInfo.outputPath(trace.name)
    writeFileSync(path, trace.text)
    await testInfo.attach(trace.name, { path, contentType: 'text/plain' })
  }
  let janusLog = ''
  try {
    janusLog = readFileSync(janus.logFile, 'utf8')
  } catch {
    /* Janus never wrote one */
  }
  const digest = [
    ...section('janus: SIP messages and SIP plugin lines', sipDigest(janusLog), 120),
    ...traces.flatMap((t) => section(t.name, traceDigest(t.name, t.text), 60)),
  ]
  if (digest.length > 0) console.log(`lab digest for "${testInfo.title}":\n${digest.join('\n')}`)
}

function section(title: string, lines: string[], keep: number): string[] {
  if (lines.length === 0) return []
  const cut = lines.length > keep ? [`  … ${lines.length - keep} earlier lines left out`] : []
  return [`── ${title}`, ...cut, ...lines.slice(-keep).map((l) => `  ${l}`)]
}

/**
 * From Janus's log: the first line of each SIP message sofia-sip sent or received
 * (TPORT_LOG prints "send|recv N bytes to|from udp/[ip]:port" and then the message), with
 * the SIP plugin's own warnings and errors.
 */
export function sipDigest(log: string): string[] {
  const lines = log.split('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (/^(send|recv) \d+ bytes (to|from) /.test(line)) {
      const first = lines
        .slice(i + 1, i + 4)
        .find((l) => /\S/.test(l) && !/^\s*-{5,}/.test(l))
        ?.trim()
      const callId = lines
        .slice(i + 1, i + 40)
        .find((l) => /^\s*(Call-ID|i):/i.test(l))
        ?.trim()
      out.push(`${line.replace(/:$/, '')} | ${first ?? '?'}${callId ? ` | ${callId}` : ''}`)
    } else if (/\[SIP-|\[ERR\]|\[WARN\]|janus\.plugin\.sip/i.test(line)) {
      out.push(line.trim())
    }
  }
  return out
}

function traceDigest(name: string, text: string): string[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  // The registrar: just what it logged for each request and reply.
  if (name.startsWith('kamailio')) return lines.filter((l) => l.includes('HOLDFAST-'))
  return lines
}
