/**
 * ``then`` once the GPU has finished every command issued so far: a fence, polled each animation
 * frame (the browser answers it between tasks, without waiting). Where software WebGL draws, the
 * GPU process also composites the page, so work is handed to it a piece at a time, each piece once
 * the last is done (renderCache.ts, liveBake.ts).
 */
export function afterGpu(gl: WebGL2RenderingContext, then: () => void): void {
  const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)
  gl.flush()
  const poll = () => {
    if (sync && !gl.isContextLost() && gl.getSyncParameter(sync, gl.SYNC_STATUS) !== gl.SIGNALED) {
      requestAnimationFrame(poll)
      return
    }
    if (sync) gl.deleteSync(sync)
    then()
  }
  requestAnimationFrame(poll)
}
