import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'
import { metaContentSecurityPolicy } from './main/security-policy'

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as {
  version: string
}

/**
 * janus.js ships as an ES module wrapped in a UMD header that tests for CommonJS (`module`)
 * and AMD (`define`) before falling back to the browser global. In a page neither exists, so
 * the browser branch always runs; the bundler, though, warns that `module` is a global in an
 * ES module. Resolving both tests at build time keeps the branch that runs and removes the
 * cause of the warning (and a page that happened to load an AMD loader could not hijack it).
 */
export function janusForTheBrowser(): Plugin {
  return {
    name: 'holdfast:janus-for-the-browser',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('janus-gateway/npm/dist/janus.es.js')) return null
      const umd =
        /typeof define === 'function' && define\.amd\)[\s\S]*?typeof module === 'object' && module\.exports\)/
      if (!umd.test(code)) this.error('janus.js changed its UMD header: review janusForTheBrowser')
      return {
        code: code
          .replace("typeof define === 'function' && define.amd)", 'false)')
          .replace("typeof module === 'object' && module.exports)", 'false)'),
        map: null,
      }
    },
  }
}

/** Writes the one CSP (main/security-policy.ts) into index.html, where the web build reads it. */
export function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'holdfast:csp-meta',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy },
        injectTo: 'head-prepend',
      },
    ],
  }
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: { entry: resolve(import.meta.dirname, 'main/index.ts') },
      // electron-store is ESM-only and must be bundled; electron itself stays external.
      externalizeDeps: { exclude: ['electron-store', 'conf'] },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can only be CommonJS and may require nothing but `electron`.
      lib: { entry: resolve(import.meta.dirname, 'preload/index.ts'), formats: ['cjs'] },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    base: './',
    envPrefix: ['VITE_', 'HOLDFAST_'],
    define: { __APP_VERSION__: JSON.stringify(pkg.version) },
    plugins: [vue(), janusForTheBrowser(), contentSecurityPolicyMeta()],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rolldownOptions: { input: resolve(import.meta.dirname, 'renderer/index.html') },
      // Shipped minified (electron-vite leaves the renderer as written): 209 KB gzipped → 126.
      minify: true,
    },
  },
})
