/// <reference types="vite/client" />

/** Injected by the build from package.json. */
declare const __APP_VERSION__: string

interface ImportMetaEnv {
  /** Default Janus URL, from the environment at build or dev-server start. */
  readonly HOLDFAST_SERVER_URL?: string
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
