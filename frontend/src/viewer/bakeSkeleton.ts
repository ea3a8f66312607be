/**
 * NiiVue's bake of an image run for everything but its voxels: the colour texture allocated, the
 * shaders' uniforms and NiiVue's own state set as its bake sets them, but the volume neither uploaded
 * nor coloured. liveWindow.ts does that part afterwards from the intensities it puts on the GPU, a few
 * slices per task (liveBake.ts).
 *
 * Why: when a case opens, NiiVue's bake copies every voxel to the GPU in one call (about 0.3 s of the
 * main thread for a 512×512×300 CT) and colours every slice in one go. Where WebGL draws in software
 * the first frame's canvas read-back then waits for all of it: the page froze for 3–4 s at each opening.
 *
 * While ``bake`` runs, NiiVue's raw-volume texture (any 3D storage but the RGBA8 colour textures) is
 * allocated as one voxel, its uploads are dropped and nothing is drawn (the slices' colouring, and the
 * gradient passes, which only run where a render shader reads gradients — the caller leaves those
 * cases to NiiVue). The colour texture is left as WebGL allocates it: transparent black.
 */

type Method = 'texStorage3D' | 'texSubImage3D' | 'drawArrays'

export function bakeWithoutVoxels(gl: WebGL2RenderingContext, bake: () => void): void {
  const own = gl as unknown as Record<Method, unknown>
  const saved = (['texStorage3D', 'texSubImage3D', 'drawArrays'] as const).map((name) =>
    [name, Object.prototype.hasOwnProperty.call(gl, name), own[name]] as const)
  const texStorage3D = gl.texStorage3D.bind(gl)
  gl.texStorage3D = (target: GLenum, levels: GLsizei, format: GLenum, width: GLsizei, height: GLsizei, depth: GLsizei) =>
    format === gl.RGBA8 ? texStorage3D(target, levels, format, width, height, depth)
      : texStorage3D(target, levels, format, 1, 1, 1)
  gl.texSubImage3D = () => undefined
  gl.drawArrays = () => undefined
  try {
    bake()
  } finally {
    for (const [name, instance, method] of saved) {
      if (instance) own[name] = method
      else delete own[name]
    }
  }
}
