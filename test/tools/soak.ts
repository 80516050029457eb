/**
 * `npm run soak [-- --minutes N] [--seed S]`: the chaos soak (issue 14) in the network lab.
 * Prints each fault with its recovery, the violations with the seed that replays them, and
 * the heap and handle counts; writes test-results/soak.json and .md. Exits non-zero on a
 * violation. `npm test` runs it for a few minutes.
 */
import { spawnSync } from 'node:child_process'

const args = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? args[at + 1] : undefined
}
const minutes = option('minutes') ?? '3'
const seed = option('seed')
if (!/^\d+(\.\d+)?$/.test(minutes) || (seed !== undefined && !/^\d+$/.test(seed))) {
  console.error('usage: npm run soak -- [--minutes N] [--seed S]')
  process.exit(2)
}
const run = spawnSync('npx', ['playwright', 'test', '--project=soak', '--reporter=list'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    HOLDFAST_SOAK_MINUTES: minutes,
    ...(seed !== undefined ? { HOLDFAST_SOAK_SEED: seed } : {}),
  },
})
process.exit(run.status ?? 1)
