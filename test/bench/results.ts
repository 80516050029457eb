/** Where the benchmarks put their figures: printed, and written to test-results/<name>.json and .md. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { percentile } from '../lab/media-probe'

/** Prints the table and writes it with the raw data. */
export function publishFigures(name: string, table: string, data: unknown): void {
  mkdirSync('test-results', { recursive: true })
  writeFileSync(`test-results/${name}.json`, JSON.stringify(data, null, 2))
  writeFileSync(`test-results/${name}.md`, `${table}\n`)
  console.log(`\n${table}\n`)
}

/** One run's figures per measure (a measure missing: not recovered in that run). */
export type Runs<M extends string> = Partial<Record<M, number>>[]

/**
 * The comparison table (p50 and p95 of each measure, Holdfast against the baseline) and its
 * summary, from every run of every scenario.
 */
export function comparisonTable<M extends string>(
  results: Record<string, { holdfast: Runs<M>; baseline: Runs<M> }>,
  metrics: readonly M[],
  runs: number,
  label: (metric: M) => string,
): { table: string; summary: Record<string, unknown> } {
  const rows: string[] = [
    '| scenario | measure | Holdfast p50 | Holdfast p95 | baseline p50 | baseline p95 | Holdfast / baseline (p50) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  const summary: Record<string, unknown> = {}
  const fmt = (v: number | undefined, n: number) =>
    v === undefined ? `– (0/${runs})` : `${Math.round(v)} ms${n < runs ? ` (${n}/${runs})` : ''}`
  for (const [scenario, byClient] of Object.entries(results)) {
    for (const metric of metrics) {
      const of = (list: Runs<M>) =>
        list.map((r) => r[metric]).filter((v): v is number => v !== undefined)
      const [h, b] = [of(byClient.holdfast), of(byClient.baseline)]
      const [h50, h95, b50, b95] = [
        percentile(h, 50),
        percentile(h, 95),
        percentile(b, 50),
        percentile(b, 95),
      ]
      const ratio =
        h50 !== undefined && b50 !== undefined && b50 > 0
          ? (h50 / b50).toFixed(2)
          : b50 === undefined && h50 !== undefined
            ? 'baseline never'
            : '–'
      rows.push(
        `| ${scenario} | ${label(metric)} | ${fmt(h50, h.length)} | ${fmt(h95, h.length)} | ${fmt(b50, b.length)} | ${fmt(b95, b.length)} | ${ratio} |`,
      )
      summary[`${scenario}.${metric}`] = {
        holdfast: { p50: h50, p95: h95, recovered: h.length },
        baseline: { p50: b50, p95: b95, recovered: b.length },
        runs,
      }
    }
  }
  return { table: rows.join('\n'), summary }
}

/** The two clients every benchmark compares. */
export const benchClients = ['holdfast', 'baseline'] as const
export type BenchClient = (typeof benchClients)[number]

/**
 * Runs each scenario `runs` times, Holdfast and the baseline in turn (so both meet the same
 * machine), printing each run's figures as it ends.
 */
export async function alternateRuns<R>(
  scenarios: readonly string[],
  runs: number,
  measure: (client: BenchClient, scenario: string) => Promise<R>,
): Promise<Record<string, Record<BenchClient, R[]>>> {
  const results: Record<string, Record<BenchClient, R[]>> = {}
  for (const scenario of scenarios) {
    const byClient: Record<BenchClient, R[]> = { holdfast: [], baseline: [] }
    results[scenario] = byClient
    for (let i = 0; i < runs; i++) {
      for (const client of benchClients) {
        const result = await measure(client, scenario)
        byClient[client].push(result)
        console.log(`${scenario} ${client} #${i + 1}: ${JSON.stringify(result)}`)
      }
    }
  }
  return results
}
