/**
 * NiiVue's parsing of a volume in a task of its own, after the one that assembled the file's bytes.
 *
 * NiiVue reads a file as a stream of small chunks (their reads are separate tasks), then copies the
 * chunks into one buffer and parses it — the header, a copy of the voxels, the intensity range
 * (rangeScan.ts) — in the same task: about 100 ms for the copy and 130 ms for the parsing of a
 * 512×512×300 CT on a 2-core machine, one task of 230–300 ms. NiiVue parses through the static
 * ``NVImage.new``, called as ``this.new`` from its loaders, so wrapping it there is enough to start
 * the parsing from a new task: each half stays well under 200 ms.
 *
 * Installed once (:func:`installParseTask`); nothing else about the parsing changes.
 */

import { NVImage } from '@niivue/niivue'

type ImageFactory = (...args: unknown[]) => Promise<NVImage>

/** Resolves in a new task (a message, not a timer: no clamping to 4 ms or more). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })
}

let installed = false

/** Have NiiVue parse every image from a task of its own. */
export function installParseTask(target: { new: ImageFactory } = NVImage as unknown as { new: ImageFactory }): void {
  if (installed && target === (NVImage as unknown)) return
  if (target === (NVImage as unknown)) installed = true
  const parse = target.new
  target.new = async function (this: unknown, ...args: unknown[]): Promise<NVImage> {
    await nextTask()
    return parse.apply(this, args)
  }
}
