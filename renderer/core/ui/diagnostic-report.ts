/**
 * What the user can hand over when asking for help (issue 11): the renderer's own log lines,
 * kept in a bounded book, and a plain-text report with the connection, the calls and the
 * incident timeline. Pure.
 */
import type { Incident } from '../incident-log'

/** A bounded book of the renderer's log lines, oldest dropped first. */
export class LogBook {
  private readonly entries: string[] = []
  constructor(
    private readonly now: () => number,
    private readonly limit = 500,
  ) {}

  /** Adds one line; details are written as JSON (or their message, for errors). */
  add(level: 'info' | 'warn' | 'error', message: string, detail?: unknown): void {
    const extra = detail === undefined || detail === '' ? '' : ` ${brief(detail)}`
    this.entries.push(`${new Date(this.now()).toISOString()} ${level} ${message}${extra}`)
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit)
  }

  lines(): readonly string[] {
    return this.entries
  }
}

function brief(detail: unknown): string {
  if (detail instanceof Error) return `${detail.name}: ${detail.message}`
  try {
    return JSON.stringify(detail)?.slice(0, 500) ?? String(detail)
  } catch {
    return String(detail)
  }
}

/** What the report says besides the lines and incidents. */
export interface ReportFacts {
  app: string
  userAgent: string
  connection: string
  sessionId?: number
  server?: string
  handles: readonly string[]
  registration: string
  call: string
  room: string
}

/** The report as text: facts first, then the incidents (oldest first), then the log lines. */
export function buildReport(
  facts: ReportFacts,
  incidents: readonly Incident[],
  lines: readonly string[],
): string {
  const iso = (at: number): string => new Date(at).toISOString()
  return [
    `# ${facts.app} diagnostic report`,
    `User agent: ${facts.userAgent}`,
    `Connection: ${facts.connection}`,
    `Session: ${facts.sessionId ?? '–'}`,
    `Server: ${facts.server ?? '–'}`,
    `Handles: ${facts.handles.join(', ') || '–'}`,
    `Phone: ${facts.registration}; ${facts.call}`,
    `Meeting: ${facts.room}`,
    '',
    `## Incidents (${incidents.length})`,
    ...[...incidents].sort((a, b) => a.at - b.at).map((i) => `${iso(i.at)} ${i.kind}: ${i.detail}`),
    '',
    `## Log (${lines.length} lines)`,
    ...lines,
    '',
  ].join('\n')
}
