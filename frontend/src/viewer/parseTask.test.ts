import { NVImage } from '@niivue/niivue'
import { describe, expect, it } from 'vitest'
import { installParseTask } from './parseTask'

describe('parseTask: NiiVue parses an image in a task of its own', () => {
  it('the parsing starts only after the task that asked for it has ended, with the same arguments', async () => {
    const seen: string[] = []
    const image = {} as NVImage
    const factory = {
      async new(this: unknown, ...args: unknown[]): Promise<NVImage> {
        seen.push(`parse ${JSON.stringify(args)} ${this === factory}`)
        return image
      },
    }
    installParseTask(factory)
    const parsed = factory.new('bytes', 'ct.nii', 'gray')
    // the rest of this task, and its microtasks, come first
    seen.push('same task')
    await Promise.resolve()
    seen.push('microtask')
    expect(await parsed).toBe(image)
    expect(seen).toEqual(['same task', 'microtask', 'parse ["bytes","ct.nii","gray"] true'])
  })

  it("wraps NiiVue's own NVImage.new, which its loaders call", () => {
    const niivue = (NVImage as unknown as { new: unknown }).new
    installParseTask()
    expect((NVImage as unknown as { new: unknown }).new).not.toBe(niivue)
    const once = (NVImage as unknown as { new: unknown }).new
    installParseTask()
    expect((NVImage as unknown as { new: unknown }).new, 'installed once').toBe(once)
  })

  it('the parsing waits for a new task, not only for the microtasks queued', async () => {
    const seen: string[] = []
    const factory = { async new(): Promise<NVImage> { seen.push('parse'); return {} as NVImage } }
    installParseTask(factory)
    const parsed = factory.new()
    for (let i = 0; i < 10; i++) await Promise.resolve()
    seen.push('microtasks done')
    await parsed
    expect(seen).toEqual(['microtasks done', 'parse'])
  })
})
