/** Runs main's power signals (drift detector included) for real and prints each signal. */
import { EventEmitter } from 'node:events'
import { wirePowerSignals } from '../../main/power-signals'
import { realClock } from './node-runtime'

wirePowerSignals(new EventEmitter(), {
  clock: realClock,
  driftIntervalMs: 200,
  driftThresholdMs: 1000,
  emit: (signal) => process.stdout.write(`${JSON.stringify({ at: Date.now(), ...signal })}\n`),
})
process.stdout.write('{"ready":true}\n')
