/**
 * The audio devices a call uses (microphone, speaker) and whether calls offer video, chosen
 * by the user and remembered. A remembered device that is gone falls back to the system
 * default, and the user is told.
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { readLocalJson, writeLocalJson } from './local-json'

const KEY = 'holdfast.devices'

/** A device as the pickers show it. */
export interface DeviceChoice {
  id: string
  label: string
}

interface Saved {
  audioInput?: string
  audioOutput?: string
  video?: boolean
}

export const useDevicesStore = defineStore('devices', () => {
  const saved = readLocalJson<Saved>(KEY, {})
  const inputs = ref<DeviceChoice[]>([])
  const outputs = ref<DeviceChoice[]>([])
  /** '' is the system default. */
  const audioInput = ref(saved.audioInput ?? '')
  const audioOutput = ref(saved.audioOutput ?? '')
  const video = ref(saved.video === true)
  const note = ref<string | undefined>()
  /** Why the chosen speaker could not be used, if it could not. */
  const speakerError = ref<string | undefined>()
  /** Chromium and Electron can route a call's audio to a chosen output; some browsers cannot. */
  const canChooseOutput =
    typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype

  watch([audioInput, audioOutput, video], () =>
    writeLocalJson(KEY, {
      audioInput: audioInput.value,
      audioOutput: audioOutput.value,
      video: video.value,
    }),
  )

  /** Lists the devices again (names appear once the microphone was allowed). */
  async function refresh(): Promise<void> {
    const media = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined
    if (!media?.enumerateDevices) return
    const all = await media.enumerateDevices()
    const pick = (kind: MediaDeviceKind): DeviceChoice[] =>
      all
        .filter((d) => d.kind === kind && d.deviceId !== 'default' && d.deviceId !== '')
        .map((d, i) => ({
          id: d.deviceId,
          label: d.label || `${kind === 'audioinput' ? 'Microphone' : 'Speaker'} ${i + 1}`,
        }))
    inputs.value = pick('audioinput')
    outputs.value = pick('audiooutput')
    // Only judge a remembered device once names are visible (permission given).
    const named = all.some((d) => d.label !== '')
    const gone: string[] = []
    if (named && audioInput.value && !inputs.value.some((d) => d.id === audioInput.value)) {
      audioInput.value = ''
      gone.push('microphone')
    }
    if (named && audioOutput.value && !outputs.value.some((d) => d.id === audioOutput.value)) {
      audioOutput.value = ''
      gone.push('speaker')
    }
    if (gone.length > 0)
      note.value = `The chosen ${gone.join(' and ')} is no longer connected; using the system default.`
  }

  let watching = false
  /** Keeps the lists current as devices come and go (once, however often it is asked). */
  function watchDevices(): void {
    if (watching) return
    watching = true
    const media = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined
    media?.addEventListener?.('devicechange', () => void refresh())
    void refresh()
  }

  // Until the browser shows device names (before the microphone is allowed) the remembered
  // choice is kept as an option of its own, so it is neither lost nor shown as the default.
  const withChosen = (list: DeviceChoice[], chosen: string, label: string): DeviceChoice[] =>
    chosen && !list.some((d) => d.id === chosen) ? [...list, { id: chosen, label }] : list

  return {
    inputs: computed(() => withChosen(inputs.value, audioInput.value, 'Your chosen microphone')),
    outputs: computed(() => withChosen(outputs.value, audioOutput.value, 'Your chosen speaker')),
    audioInput,
    audioOutput,
    video,
    note,
    speakerError,
    canChooseOutput,
    refresh,
    watchDevices,
  }
})
