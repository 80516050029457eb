/** Permission policy: media (camera, microphone) for the app's own origin, nothing else. */
import { originOf } from './ipc-guard'

export function isMediaPermission(
  permission: string,
  requestingUrl: string,
  appOrigin: string,
): boolean {
  return permission === 'media' && originOf(requestingUrl) === appOrigin
}
