/**
 * electron-updater downloads through Electron's `net`; in plain Node the tests give it
 * builder-util's Node HTTP executor plus the one method it lacks, `download`, built on the
 * shared `doDownload` of builder-util-runtime (the same path Electron's executor takes).
 */
import {
  configureRequestOptions,
  configureRequestUrl,
  type CancellationToken,
} from 'builder-util-runtime'
import { NodeHttpExecutor } from 'builder-util/out/nodeHttpExecutor'

interface DownloadOptions {
  headers?: Record<string, string>
  cancellationToken: CancellationToken
  [key: string]: unknown
}

export class NodeUpdateExecutor extends NodeHttpExecutor {
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: Record<string, unknown> = {
        headers: options.headers ?? undefined,
        redirect: 'manual',
      }
      configureRequestUrl(url, requestOptions as never)
      configureRequestOptions(requestOptions as never)
      ;(this as unknown as { doDownload: (o: unknown, d: unknown, r: number) => void }).doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          callback: (error: Error | null) => (error == null ? resolve(destination) : reject(error)),
          responseHandler: null,
        },
        0,
      )
    })
  }
}
