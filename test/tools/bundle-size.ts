/**
 * `npm run size`: the renderer's JavaScript as shipped, raw and gzipped (target: at most
 * 250 KB gzipped, Vue, Pinia and janus.js included). Prints and writes test-results/bundle-size.json.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const dir = 'out/renderer/assets'
const files = readdirSync(dir).filter((f) => f.endsWith('.js'))
if (files.length === 0) throw new Error('no built renderer: run npm run build first')
let raw = 0
let gzip = 0
for (const file of files) {
  const bytes = readFileSync(join(dir, file))
  raw += bytes.length
  gzip += gzipSync(bytes, { level: 9 }).length
}
const result = {
  files,
  rawKB: +(raw / 1024).toFixed(1),
  gzipKB: +(gzip / 1024).toFixed(1),
  targetGzipKB: 250,
}
mkdirSync('test-results', { recursive: true })
writeFileSync('test-results/bundle-size.json', JSON.stringify(result, null, 2))
console.log(
  `renderer JavaScript: ${result.rawKB} KB raw, ${result.gzipKB} KB gzipped (target ≤ ${result.targetGzipKB} KB gzipped)`,
)
