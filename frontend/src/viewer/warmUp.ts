/**
 * A frame drawn off screen before the first one that shows, so that the first frame shown does not
 * wait for the GPU's first use of each program.
 *
 * Where WebGL draws in software (SwiftShader, llvmpipe: a VDI desktop, a machine without a GPU) the
 * page is composited in software too, and each frame's canvas is read back when it is committed: the
 * main thread waits until the GPU process has drawn that frame. A case's first frame took 0.5–0.6 s
 * there (a browser trace: one read-back, waiting on one 0.5 s flush of the GPU process), the next ones
 * about 0.1 s: the GPU process builds each program for the state it is first drawn in, and sets up
 * each texture on its first use. Drawn once beforehand into a framebuffer of the canvas's size and
 * formats, which no commit reads back, that work is done while the intensities upload, and the first
 * frame shown waits about 0.15 s.
 */

type Binder = WebGL2RenderingContext['bindFramebuffer']

/** Run ``draw`` (a whole scene, as drawn on the canvas) with every draw to the canvas sent to an
 * off-screen framebuffer of its size instead; the canvas and the context are left as they were. */
export function drawOffScreen(gl: WebGL2RenderingContext, draw: () => void): void {
  const [width, height] = [gl.drawingBufferWidth, gl.drawingBufferHeight]
  const attributes = gl.getContextAttributes()
  const depthFormat = attributes?.depth ? (attributes.stencil ? gl.DEPTH24_STENCIL8 : gl.DEPTH_COMPONENT24) : null
  const framebuffer = gl.createFramebuffer()
  const color = gl.createRenderbuffer()
  const depth = depthFormat ? gl.createRenderbuffer() : null
  const renderbuffer = gl.getParameter(gl.RENDERBUFFER_BINDING) as WebGLRenderbuffer | null
  gl.bindRenderbuffer(gl.RENDERBUFFER, color)
  gl.renderbufferStorage(gl.RENDERBUFFER, gl.RGBA8, width, height)
  if (depth && depthFormat) {
    gl.bindRenderbuffer(gl.RENDERBUFFER, depth)
    gl.renderbufferStorage(gl.RENDERBUFFER, depthFormat, width, height)
  }
  gl.bindRenderbuffer(gl.RENDERBUFFER, renderbuffer)
  const own = Object.prototype.hasOwnProperty.call(gl, 'bindFramebuffer')
  const wrapped = gl.bindFramebuffer
  const bind: Binder = gl.bindFramebuffer.bind(gl)
  bind(gl.FRAMEBUFFER, framebuffer)
  gl.framebufferRenderbuffer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.RENDERBUFFER, color)
  if (depth) {
    const attachment = depthFormat === gl.DEPTH24_STENCIL8 ? gl.DEPTH_STENCIL_ATTACHMENT : gl.DEPTH_ATTACHMENT
    gl.framebufferRenderbuffer(gl.FRAMEBUFFER, attachment, gl.RENDERBUFFER, depth)
  }
  // The canvas's framebuffer is "null" to WebGL: whoever binds it (NiiVue, the 3D picture's copy) gets ours.
  gl.bindFramebuffer = (target: GLenum, f: WebGLFramebuffer | null) => bind(target, f ?? framebuffer)
  try {
    draw()
  } finally {
    if (own) gl.bindFramebuffer = wrapped
    else delete (gl as unknown as Record<string, unknown>).bindFramebuffer
    bind(gl.FRAMEBUFFER, null)
    gl.deleteFramebuffer(framebuffer)
    gl.deleteRenderbuffer(color)
    if (depth) gl.deleteRenderbuffer(depth)
  }
}
