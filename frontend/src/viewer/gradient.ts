/**
 * NiiVue recomputes a gradient volume (a blur and a Sobel pass over every voxel, and a zero-filled
 * RGBA copy of the whole volume uploaded from the main thread) each time it bakes the image into
 * its colour texture: when a case opens and when the 3D view's window is rebaked. Only its
 * matcap and gradient-opacity render shaders read that volume, and the viewer uses neither (the
 * 3D view is NiiVue's plain volume render plus the masks' surfaces). Measured on a 512×512×100 CT
 * with software WebGL, the gradient was three quarters of a bake (4.9 s of 6.2 s).
 *
 * So while NiiVue bakes the image's layer, and only when nothing reads gradients, the draws and
 * framebuffer checks of its gradient programs are skipped and its textures are not zero-filled
 * from JavaScript (WebGL clears new texture storage itself). Switching gradients on in NiiVue
 * (``setVolumeRenderIllumination``, ``setGradientOpacity``) rebakes with them computed as before.
 */

import type { Niivue, NVImage } from '@niivue/niivue'

interface Internals {
  refreshLayers: (volume: NVImage, layer: number) => void
  rgbaTex: (texture: WebGLTexture | null, unit: number, dims: number[], isInit?: boolean) => WebGLTexture
  gradientTextureAmount: number
  renderGradientValues: boolean
  blurShader?: { program: WebGLProgram }
  sobelFirstOrderShader?: { program: WebGLProgram }
  sobelSecondOrderShader?: { program: WebGLProgram }
  gradientPrePassShader?: { program: WebGLProgram }
}

/** Whether NiiVue's render shaders, as set now, read the gradient volume. */
export function gradientsRead(nv: Niivue): boolean {
  const inner = nv as unknown as Internals
  return inner.gradientTextureAmount > 0 || (nv.opts.gradientOpacity ?? 0) > 0 || Boolean(inner.renderGradientValues)
}

export function skipUnreadGradients(nv: Niivue): void {
  const inner = nv as unknown as Internals
  const gl = nv.gl
  let skipping = false
  const gradientProgram = (): boolean => {
    const program = gl.getParameter(gl.CURRENT_PROGRAM) as WebGLProgram | null
    return program !== null && [inner.blurShader, inner.sobelFirstOrderShader, inner.sobelSecondOrderShader,
      inner.gradientPrePassShader].some((shader) => shader?.program === program)
  }

  const refreshLayers = inner.refreshLayers.bind(nv)
  inner.refreshLayers = (volume: NVImage, layer: number) => {
    skipping = layer === 0 && !gradientsRead(nv)
    try {
      refreshLayers(volume, layer)
    } finally {
      skipping = false
    }
  }
  const rgbaTex = inner.rgbaTex.bind(nv)
  inner.rgbaTex = (texture, unit, dims, isInit = false) => rgbaTex(texture, unit, dims, isInit && !skipping)

  const drawArrays = gl.drawArrays.bind(gl)
  gl.drawArrays = (mode: GLenum, first: GLint, count: GLsizei) => {
    if (!skipping || !gradientProgram()) drawArrays(mode, first, count)
  }
  const checkFramebufferStatus = gl.checkFramebufferStatus.bind(gl)
  gl.checkFramebufferStatus = (target: GLenum) =>
    skipping && gradientProgram() ? gl.FRAMEBUFFER_COMPLETE : checkFramebufferStatus(target)
}
