/**
 * The only place main touches ipcMain: every handler is registered through here, and every
 * message is checked (known channel, the app's own origin, main frame, valid arguments).
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron'
import { validators, type InvokeChannel, type InvokeChannels } from '../preload/ipc-contract'
import { isTrustedSender } from './ipc-guard'

type Handler<K extends InvokeChannel> = (
  ...args: InvokeChannels[K]['args']
) => InvokeChannels[K]['result'] | Promise<InvokeChannels[K]['result']>

/** Registers a validated handler for one channel of the contract. */
export function handle<K extends InvokeChannel>(
  channel: K,
  appOrigin: string,
  handler: Handler<K>,
): void {
  ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...raw: unknown[]) => {
    if (
      !isTrustedSender(
        event.senderFrame?.url,
        event.senderFrame === event.sender.mainFrame,
        appOrigin,
      )
    ) {
      throw new Error(`refused ${channel}: untrusted sender`)
    }
    const args = validators[channel](raw)
    if (!args) throw new Error(`refused ${channel}: malformed arguments`)
    return handler(...(args as InvokeChannels[K]['args']))
  })
}
