// Builds the recovery benchmark's baseline client (janus.js alone) into out/baseline.
import { resolve } from 'node:path'
import { defineConfig } from 'vite'

export default defineConfig({
  root: resolve(import.meta.dirname, 'test/bench/baseline'),
  base: './',
  build: { outDir: resolve(import.meta.dirname, 'out/baseline'), emptyOutDir: true },
})
