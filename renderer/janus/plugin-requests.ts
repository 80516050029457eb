/**
 * The requests every call makes through a janus.js handle, as promises. Types only from
 * janus.js, so the call layer loads (and is tested) without it.
 */
import type { JanusJS } from 'janus-gateway'

/** Sends a plugin message (with an optional SDP) and resolves on Janus's ack or success. */
export function sendToPlugin(
  handle: JanusJS.PluginHandle,
  message: Record<string, unknown>,
  jsep?: JanusJS.JSEP,
): Promise<void> {
  return new Promise((resolve, reject) =>
    handle.send({
      message,
      ...(jsep ? { jsep } : {}),
      success: () => resolve(),
      error: (error: string) => reject(new Error(error)),
    } as unknown as JanusJS.PluginMessage),
  )
}

/** A synchronous plugin request (list, listparticipants…): resolves with the plugin's data. */
export function requestPlugin(
  handle: JanusJS.PluginHandle,
  message: Record<string, unknown>,
): Promise<unknown> {
  return new Promise((resolve, reject) =>
    handle.send({
      message,
      success: (data: unknown) => resolve(data),
      error: (error: string) => reject(new Error(error)),
    } as unknown as JanusJS.PluginMessage),
  )
}

/** A new offer on the handle's PeerConnection that restarts ICE. */
export function iceRestartOffer(handle: JanusJS.PluginHandle): Promise<JanusJS.JSEP> {
  return new Promise((resolve, reject) =>
    handle.createOffer({
      iceRestart: true,
      success: resolve,
      error: reject,
    } as JanusJS.OfferParams),
  )
}

/** Lets the handle go; resolves when Janus has (or failed to). */
export function detachHandle(handle: JanusJS.PluginHandle): Promise<void> {
  return new Promise<void>((resolve) =>
    handle.detach({ success: () => resolve(), error: () => resolve() }),
  )
}
