/** One queue per key: tasks of one key run one after another, in the order they were given.
 *
 * A job's mask edits (rename, recolour, delete, save) each answer with the whole job. Sent at once,
 * their answers can arrive in any order, and the last one to arrive would be shown: an answer
 * written before a later edit would undo that edit on screen (the server keeps both). Run one at a
 * time per job, each answer is the newest when it is applied. */
export class InOrder {
  private readonly tails = new Map<string, Promise<unknown>>()

  /** Run ``task`` once every task given earlier for ``key`` has settled (a failed one included);
   * resolves or rejects as ``task`` does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task)
    const tail = result.then(() => undefined, () => undefined)
    this.tails.set(key, tail)
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    })
    return result
  }

  /** keys with a task waiting or running */
  get busy(): number {
    return this.tails.size
  }
}
