/** Where the benchmarks put their figures: printed, and written to test-results/<name>.json and .md. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { benchExtraArgsInUse } from '../lab/chromium'
import { percentile } from '../lab/media-probe'

/** Prints the table and writes it with the raw data. */
export function publishFigures(name: string, table: string, data: object): void {
  const flags = benchExtraArgsInUse().join(' ')
  const shown = flags ? `Chromium launched with the extra flags: ${flags}\n\n${table}` : table
  mkdirSync('test-results', { recursive: true })
  writeFileSync(
    `test-results/${name}.json`,
    JSON.stringify(flags ? { chromiumFlags: flags, ...data } : data, null, 2),
  )
  writeFileSync(`test-results/${name}.md`, `${shown}\n`)
  console.log(`\n${shown}\n`)
}

/** One run's figures per measure (a measure missing: not recovered in that run). */
export type Runs<M extends string> = Partial<Record<M, number>>[]

/**
 * The comparison table (p50 and p95 of each measure for each client, and the first client
 * over the second at p50) and its summary, from every run of every scenario.
 */
export function comparisonTable<M extends string, C extends string>(
  results: Record<string, Record<C, Runs<M>>>,
  metrics: readonly M[],
  runs: number,
  label: (metric: M) => string,
  clients: readonly C[],
  names: Partial<Record<C, string>> = {},
): { table: string; summary: Record<string, unknown> } {
  const name = (c: C): string => names[c] ?? c
  const [first, second] = [clients[0]!, clients[1]!]
  const rows: string[] = [
    `| scenario | measure | ${clients.map((c) => `${name(c)} p50 | ${name(c)} p95`).join(' | ')} | ${name(first)} / ${name(second)} (p50) |`,
    `| --- | --- | ${clients.map(() => '--- | ---').join(' | ')} | --- |`,
  ]
  const summary: Record<string, unknown> = {}
  const fmt = (v: number | undefined, n: number) =>
    v === undefined ? `– (0/${runs})` : `${Math.round(v)} ms${n < runs ? ` (${n}/${runs})` : ''}`
  for (const [scenario, byClient] of Object.entries(results)) {
    for (const metric of metrics) {
      const values = (c: C) =>
        byClient[c].map((r) => r[metric]).filter((v): v is number => v !== undefined)
      const cells: string[] = []
      const entry: Record<string, unknown> = { runs }
      for (const c of clients) {
        const v = values(c)
        const [p50, p95] = [percentile(v, 50), percentile(v, 95)]
        cells.push(`${fmt(p50, v.length)} | ${fmt(p95, v.length)}`)
        entry[c] = { p50, p95, recovered: v.length }
      }
      const [a, b] = [percentile(values(first), 50), percentile(values(second), 50)]
      const ratio =
        a !== undefined && b !== undefined && b > 0
          ? (a / b).toFixed(2)
          : b === undefined && a !== undefined
            ? `${name(second)} never`
            : '–'
      rows.push(`| ${scenario} | ${label(metric)} | ${cells.join(' | ')} | ${ratio} |`)
      summary[`${scenario}.${metric}`] = entry
    }
  }
  return { table: rows.join('\n'), summary }
}

/**
 * Runs each scenario `runs` times, the clients in turn (so all meet the same machine),
 * printing each run's figures as it ends. Who goes first turns with each run: the first
 * network change of a fresh browser is slower (Chromium held Holdfast's first socket after
 * it 1-2 s with no SYN sent, and gathers on the new interface only after ~3 s; issue 13), and
 * that penalty must not always fall on the same client.
 */
export async function alternateRuns<R, C extends string>(
  scenarios: readonly string[],
  runs: number,
  measure: (client: C, scenario: string) => Promise<R>,
  clients: readonly C[],
): Promise<Record<string, Record<C, R[]>>> {
  const results: Record<string, Record<C, R[]>> = {}
  for (const scenario of scenarios) {
    const byClient = Object.fromEntries(clients.map((c) => [c, [] as R[]])) as Record<C, R[]>
    results[scenario] = byClient
    for (let i = 0; i < runs; i++) {
      const turn = i % clients.length
      for (const client of [...clients.slice(turn), ...clients.slice(0, turn)]) {
        const result = await measure(client, scenario)
        byClient[client].push(result)
        console.log(`${scenario} ${client} #${i + 1}: ${JSON.stringify(result)}`)
      }
    }
  }
  return results
}
