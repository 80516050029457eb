// Builds the benchmarks' baseline clients (janus.js alone: a call, a room, a phone call) into out/baseline.
import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import { janusForTheBrowser } from './electron.vite.config'

export default defineConfig({
  root: resolve(import.meta.dirname, 'test/bench/baseline'),
  base: './',
  plugins: [janusForTheBrowser()],
  build: {
    outDir: resolve(import.meta.dirname, 'out/baseline'),
    emptyOutDir: true,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'test/bench/baseline/index.html'),
        room: resolve(import.meta.dirname, 'test/bench/baseline/room.html'),
        sip: resolve(import.meta.dirname, 'test/bench/baseline/sip.html'),
      },
    },
  },
})
