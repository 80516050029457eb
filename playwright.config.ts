import { defineConfig } from '@playwright/test'
import { chromiumArgs, chromiumPath } from './test/lab/chromium'

export default defineConfig({
  projects: [
    // Each project writes to its own folder: a later run (the network step) must not wipe the
    // traces an earlier one (e2e) kept for its failures.
    { name: 'e2e', testDir: 'test/e2e', outputDir: 'test-results/playwright/e2e' },
    // The desktop app through Playwright's _electron; skipped (with the reason) without a binary.
    { name: 'electron', testDir: 'test/electron', outputDir: 'test-results/playwright/electron' },
    // The network lab: builds its own namespaces, so it runs from the root namespace.
    { name: 'network', testDir: 'test/network', outputDir: 'test-results/playwright/network' },
    // The chaos soak (issue 14): builds its own network lab; run by `npm run soak` and, short, by `npm test`.
    // No action may wait forever there: a click on a control that stays disabled is a finding.
    {
      name: 'soak',
      testDir: 'test/soak',
      outputDir: 'test-results/playwright/soak',
      use: { actionTimeout: 15_000, navigationTimeout: 30_000 },
    },
    // Figures, not verdicts: run by `npm run bench:reclaim` / `bench:footprint`, not by the test command.
    { name: 'bench', testDir: 'test/bench', testMatch: /(reclaim|footprint)\.bench\.ts$/ },
    // The recovery benchmarks build their own network lab, so they run from the root namespace.
    { name: 'bench-network', testDir: 'test/bench', testMatch: /(recovery|room)\.bench\.ts$/ },
  ],
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  outputDir: 'test-results/playwright',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromiumPath,
      args: chromiumArgs,
    },
    screenshot: 'only-on-failure',
  },
})
