/**
 * Whether this browser's WebGL draws in software (SwiftShader, llvmpipe, Microsoft Basic Render
 * Driver): a browser without GPU access, a VDI workstation, a remote desktop. NiiVue turns
 * antialiasing on by the CPU's thread count alone; in software that multiplies the cost of every
 * 3D frame and leaves out the 3D picture's reuse (renderCache.ts), so the viewer asks for none there.
 */

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software rasterizer|microsoft basic render/i

/** Whether the renderer named ``renderer`` (WebGL's unmasked RENDERER string) draws in software. */
export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE.test(renderer)
}

/** The WebGL renderer's name, from a throwaway context ('' where WebGL2 is missing). */
export function webglRenderer(): string {
  const gl = document.createElement('canvas').getContext('webgl2')
  if (!gl) return ''
  const info = gl.getExtension('WEBGL_debug_renderer_info')
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '')
  gl.getExtension('WEBGL_lose_context')?.loseContext()
  return name
}
