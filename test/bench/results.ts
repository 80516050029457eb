/** Where the benchmarks put their figures: printed, and written to test-results/<name>.json and .md. */
import { mkdirSync, writeFileSync } from 'node:fs'

/** Prints the table and writes it with the raw data. */
export function publishFigures(name: string, table: string, data: unknown): void {
  mkdirSync('test-results', { recursive: true })
  writeFileSync(`test-results/${name}.json`, JSON.stringify(data, null, 2))
  writeFileSync(`test-results/${name}.md`, `${table}\n`)
  console.log(`\n${table}\n`)
}
