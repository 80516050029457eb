/**
 * The phone's sounds, synthesised with Web Audio (no audio files to ship): a ringtone while a
 * call rings in, a soft beep for a call waiting, and a short falling cue when a call drops. The browser only lets audio start
 * after a user gesture, so `unlock()` is called from one (Register); the desktop app allows
 * it anyway. `playing` says what is actually sounding, for the UI and the tests.
 */

/** What the tone player is sounding now. */
export type Sound = 'ringtone' | 'call-waiting' | 'dropped'

export class TonePlayer {
  private context: AudioContext | undefined
  private ringTimer: ReturnType<typeof setInterval> | undefined
  private cueTimer: ReturnType<typeof setTimeout> | undefined
  private current: Sound | undefined
  private readonly listeners = new Set<(sound: Sound | undefined) => void>()

  /** What is sounding now, if anything. */
  get playing(): Sound | undefined {
    return this.current
  }

  /** Called on every change of `playing`. */
  onChange(listener: (sound: Sound | undefined) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Creates or resumes the audio context; call from a user gesture. */
  unlock(): void {
    try {
      this.context ??= new AudioContext()
      void this.context.resume()
    } catch {
      // No Web Audio here: the phone stays silent but works.
    }
  }

  /** Rings (two tones, 2 s on, 4 s off) until `stop()`. */
  ring(): void {
    if (this.current === 'ringtone') return
    this.stop()
    if (!this.audible()) return
    const burst = (): void => {
      this.tone([440, 480], 0, 2)
    }
    burst()
    this.ringTimer = setInterval(burst, 6000)
    this.set('ringtone')
  }

  /**
   * A second call rings while the person talks in another: one short, quiet beep every 10 s
   * (as telephone exchanges sound call waiting), never the full ringtone over a conversation.
   */
  waiting(): void {
    if (this.current === 'call-waiting') return
    this.stop()
    if (!this.audible()) return
    const beep = (): void => {
      this.tone([440], 0, 0.3)
    }
    beep()
    this.ringTimer = setInterval(beep, 10_000)
    this.set('call-waiting')
  }

  /** Three falling tones: the call dropped. */
  dropped(): void {
    this.stop()
    if (!this.audible()) return
    this.tone([660], 0, 0.18)
    this.tone([520], 0.22, 0.18)
    this.tone([400], 0.44, 0.3)
    this.cueTimer = setTimeout(() => this.set(undefined), 800)
    this.set('dropped')
  }

  /** Silences whatever is sounding. */
  stop(): void {
    clearInterval(this.ringTimer)
    clearTimeout(this.cueTimer)
    this.ringTimer = undefined
    this.cueTimer = undefined
    this.set(undefined)
  }

  /** Only a running audio context makes a sound (a browser keeps it suspended until a gesture). */
  private audible(): boolean {
    return this.context?.state === 'running'
  }

  private tone(frequencies: number[], startS: number, lengthS: number): void {
    const context = this.context
    if (!context) return
    const start = context.currentTime + startS
    const gain = context.createGain()
    gain.gain.setValueAtTime(0.0001, start)
    gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02)
    gain.gain.setValueAtTime(0.15, start + lengthS - 0.05)
    gain.gain.exponentialRampToValueAtTime(0.0001, start + lengthS)
    gain.connect(context.destination)
    for (const frequency of frequencies) {
      const oscillator = context.createOscillator()
      oscillator.frequency.value = frequency
      oscillator.connect(gain)
      oscillator.start(start)
      oscillator.stop(start + lengthS)
    }
  }

  private set(sound: Sound | undefined): void {
    if (this.current === sound) return
    this.current = sound
    for (const listener of this.listeners) listener(sound)
  }
}
