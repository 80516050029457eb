/**
 * A small camera for the soak's five pages (issue 14): Chromium's default fake camera is
 * 640×480 at 30 fps, and five pages encoding it (three of them in simulcast) leave a 2-core
 * machine no time for anything else. A 320×240 clip at 15 fps with a moving bar keeps every
 * stream alive and decodable at a fraction of the cost.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Writes the clip (YUV4MPEG2, which Chromium loops) and returns its path. */
export function writeFakeCamera(width = 320, height = 240, fps = 15, frames = 30): string {
  const luma = width * height
  const chroma = (width / 2) * (height / 2)
  const parts: Buffer[] = [
    Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`),
  ]
  for (let f = 0; f < frames; f++) {
    const y = Buffer.alloc(luma, 60)
    const bar = Math.floor((f / frames) * width)
    for (let row = 0; row < height; row++)
      y.fill(220, row * width + bar, row * width + Math.min(width, bar + 24))
    parts.push(Buffer.from('FRAME\n'), y, Buffer.alloc(chroma, 100), Buffer.alloc(chroma, 150))
  }
  const file = join(mkdtempSync(join(tmpdir(), 'holdfast-soak-camera-')), 'camera.y4m')
  writeFileSync(file, Buffer.concat(parts))
  return file
}
