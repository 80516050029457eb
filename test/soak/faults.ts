/** Applies one fault of the soak's schedule to its world (issue 14). */
import type { Fault } from './schedule'
import type { SoakWorld } from './world'

/** The stimulus of a fault lasts this long (not a wait for a condition). */
const lasting = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Applies `fault` (and what lands on top of it); resolves when the last stimulus is over. */
export async function applyFault(world: SoakWorld, fault: Fault): Promise<void> {
  const { lab, sip } = world
  const other = () => (lab.active === 'wifi' ? 'cell' : 'wifi')
  switch (fault.kind) {
    case 'wifi-to-cell':
      lab.switchUplink(other())
      break
    case 'wifi-to-cell-abrupt':
      await lab.switchUplinkAbruptly(other())
      break
    case 'wifi-to-cell-orderly':
      lab.switchUplinkOrderly(other())
      break
    case 'flap':
      lab.flap()
      break
    case 'dead-path':
      lab.blackholeClient(true)
      await lasting(fault.ms!)
      lab.blackholeClient(false)
      break
    case 'socket-cut':
      lab.cutClientSockets()
      break
    case 'short-sleep':
    case 'long-sleep':
      await lab.sleep(fault.ms!)
      break
    case 'janus-restart':
      await lab.janus.restart()
      break
    case 'registrar-restart':
      await sip.registrar.restart()
      break
    case 'janus-restart-registrar-down':
      await sip.registrar.restart(async () => {
        await lab.janus.restart()
        // The registrar stays away while the phone tries to register again.
        await lasting(3000)
      })
      break
    case 'page-reload':
      await world.pages[fault.page!].reload()
      break
    case 'renderer-crash':
      await world.crashAndReload(fault.page!)
      break
    case 'token-expiry': {
      // Every token the pages hold runs out (each lives 30 s); a second past the last one.
      const last = Math.max(0, ...world.tokensHeld().values())
      await lasting(Math.max(0, last * 1000 + 1000 - Date.now()))
      break
    }
  }
  if (fault.onTop) {
    await lasting(fault.onTop.afterMs)
    await applyFault(world, fault.onTop.fault)
  }
}
