/**
 * The server's truth the soak checks after every fault (issue 14): one live session per page,
 * no zombie handle, no ghost room participant, one registration, one call at the far end.
 */
import { adminRequest, handleInfo, listHandles } from '../lab/admin'
import { roles, type Role, type SoakWorld } from './world'

/** The plugins of a session's handles, sorted (`janus.plugin.sip`, …). */
export async function pluginsOf(world: SoakWorld, sessionId: number): Promise<string[]> {
  const { adminUrl, config } = world.lab.janus
  const handles = await listHandles(adminUrl, config.adminSecret, sessionId)
  const plugins = await Promise.all(
    handles.map(async (h) => {
      const info = await handleInfo(adminUrl, config.adminSecret, sessionId, h)
      // A VideoRoom handle says what it is (publisher or subscriber): a zombie names itself.
      const role = (info.plugin_specific as { type?: unknown } | undefined)?.type
      return `${String(info.plugin)}${typeof role === 'string' ? `/${role}` : ''}`
    }),
  )
  return plugins.sort()
}

/** The display names in room 1234, as the VideoRoom lists them. */
export async function roomParticipants(world: SoakWorld): Promise<string[]> {
  const { adminUrl, config } = world.lab.janus
  const reply = await adminRequest(adminUrl, config.adminSecret, {
    janus: 'message_plugin',
    plugin: 'janus.plugin.videoroom',
    request: { request: 'listparticipants', room: 1234 },
  })
  const response = reply.response as { participants?: { display?: string }[] } | undefined
  return (response?.participants ?? []).map((p) => p.display ?? '(no name)').sort()
}

/** Calls up at the far end: established minus closed. */
function farEndCalls(world: SoakWorld): number {
  const count = (type: string) => world.sip.farEnd.events.filter((e) => e.type === type).length
  return count('CALL_ESTABLISHED') - count('CALL_CLOSED')
}

/**
 * Every way the world differs from what the pages show, in words (empty when all is true).
 * `plugins` is what each page's session held when all was well.
 */
export async function truthViolations(
  world: SoakWorld,
  plugins: Record<Role, string[]>,
): Promise<string[]> {
  const violations: string[] = []
  const kept = new Map<Role, number>()
  for (const role of roles) {
    const id = await world.keptSessionId(role)
    if (id === undefined) violations.push(`${role}: the page keeps no session`)
    else kept.set(role, id)
  }
  const live = await world.lab.sessions()
  const ids = [...kept.values()]
  if (new Set(ids).size !== ids.length)
    violations.push(`two pages keep one session: ${ids.join(', ')}`)
  for (const id of live)
    if (!ids.includes(id))
      violations.push(`session ${id} lives on the server with no page keeping it`)
  for (const [role, id] of kept) {
    if (!live.includes(id)) {
      violations.push(`${role}: keeps session ${id}, which the server does not have`)
      continue
    }
    const held = await pluginsOf(world, id)
    if (held.join() !== plugins[role].join())
      violations.push(
        `${role}: session ${id} holds [${held.join(', ')}], expected [${plugins[role].join(', ')}]`,
      )
  }
  const participants = await roomParticipants(world)
  if (participants.join() !== 'Ann,Ben,Cy')
    violations.push(`room 1234 lists [${participants.join(', ')}], expected [Ann, Ben, Cy]`)
  const bindings = world.sip.registrar.bindings('laptop')
  if (bindings !== 1)
    violations.push(`the registrar holds ${bindings} registrations of laptop, expected 1`)
  const calls = farEndCalls(world)
  if (calls !== 1) violations.push(`the far end has ${calls} calls up, expected 1`)
  return violations
}
