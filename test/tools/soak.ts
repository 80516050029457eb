/**
 * `npm run soak [-- --minutes N] [--seed S] [--faults N] [--kinds a,b]`: the chaos soak (issue 14)
 * in the network lab; `--kinds` draws only those kinds of fault (names as in schedule.ts).
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
const faults = option('faults')
const kinds = option('kinds')
const whole = (v: string | undefined) => v === undefined || /^\d+$/.test(v)
if (
  !/^\d+(\.\d+)?$/.test(minutes) ||
  !whole(seed) ||
  !whole(faults) ||
  (kinds !== undefined && !/^[a-z-]+(,[a-z-]+)*$/.test(kinds))
) {
  console.error('usage: npm run soak -- [--minutes N] [--seed S] [--faults N] [--kinds a,b]')
  process.exit(2)
}
// Anything else goes to Playwright (e.g. --reporter=list,json for the test command's summary).
const own = new Set(['--minutes', '--seed', '--faults', '--kinds'])
const rest = args.filter((a, i) => !own.has(a) && !own.has(args[i - 1] ?? ''))
const reporter = rest.some((a) => a.startsWith('--reporter')) ? [] : ['--reporter=list']
const run = spawnSync('npx', ['playwright', 'test', '--project=soak', ...reporter, ...rest], {
  stdio: 'inherit',
  env: {
    ...process.env,
    HOLDFAST_SOAK_MINUTES: minutes,
    ...(seed !== undefined ? { HOLDFAST_SOAK_SEED: seed } : {}),
    ...(faults !== undefined ? { HOLDFAST_SOAK_FAULTS: faults } : {}),
    ...(kinds !== undefined ? { HOLDFAST_SOAK_KINDS: kinds } : {}),
  },
})
process.exit(run.status ?? 1)
