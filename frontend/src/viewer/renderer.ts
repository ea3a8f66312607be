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

/**
 * Voxels a mask's 3D surface is built from at most (a coarser grid above). Every 3D frame draws each
 * surface four times (NiiVue's x-ray passes show organs through the body), and software WebGL pays
 * for every triangle: twelve organs' surfaces from 200k voxels each (about 190k triangles) took
 * 200 ms a frame there, from 60k about 60 ms (docs/performance.md); the 2D views show every voxel.
 * With a GPU these are milliseconds either way.
 */
export function surfaceCells(software: boolean): number {
  return software ? 60_000 : 200_000
}
