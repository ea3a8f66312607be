import { describe, expect, it } from 'vitest'
import { InOrder } from './inOrder'

/** A task whose end the test decides. */
function gate() {
  let open!: () => void
  let fail!: (err: Error) => void
  const done = new Promise<void>((resolve, reject) => { open = resolve; fail = reject })
  return { done, open, fail }
}

describe('InOrder', () => {
  it('runs one key\'s tasks one at a time, in order, even when the first takes longest', async () => {
    const queue = new InOrder()
    const log: string[] = []
    const slow = gate()
    const first = queue.run('job', async () => { log.push('first starts'); await slow.done; log.push('first ends'); return 1 })
    const second = queue.run('job', async () => { log.push('second starts'); return 2 })
    await new Promise((r) => setTimeout(r, 10))
    expect(log).toEqual(['first starts']) // the second waits for the first
    slow.open()
    expect(await Promise.all([first, second])).toEqual([1, 2])
    expect(log).toEqual(['first starts', 'first ends', 'second starts'])
    await new Promise((r) => setTimeout(r, 0))
    expect(queue.busy).toBe(0)
  })

  it('runs the next task after a failed one, and the failure reaches its caller only', async () => {
    const queue = new InOrder()
    const broken = gate()
    const first = queue.run('job', () => broken.done)
    const second = queue.run('job', async () => 'ran')
    broken.fail(new Error('server said no'))
    await expect(first).rejects.toThrow('server said no')
    expect(await second).toBe('ran')
  })

  it('keeps keys apart: another key\'s task does not wait', async () => {
    const queue = new InOrder()
    const slow = gate()
    void queue.run('a', () => slow.done)
    expect(await queue.run('b', async () => 'b done')).toBe('b done')
    await new Promise((r) => setTimeout(r, 0))
    expect(queue.busy).toBe(1) // 'a' still runs
    slow.open()
  })
})
