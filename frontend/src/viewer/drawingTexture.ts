/**
 * Uploading only the changed slices of NiiVue's drawing (the label volume of viewer/overlays.ts) to its
 * GPU texture: NiiVue's refreshDrawing uploads all of them (78 MB for a 512×512×300 CT) on every change.
 */

import type { Niivue } from '@niivue/niivue'

/** The range of axial slices [lo, hi) that voxels (RAS indices) touch. */
export class Slab {
  lo = Infinity
  hi = -Infinity

  get empty(): boolean {
    return this.hi <= this.lo
  }

  cover(indices: Uint32Array, plane: number): void {
    for (let i = 0; i < indices.length; i++) {
      const z = Math.floor(indices[i] / plane)
      if (z < this.lo) this.lo = z
      if (z + 1 > this.hi) this.hi = z + 1
    }
  }
}

/** Upload the slices of the label volume that changed (a mask spans a few of a CT's 300): NiiVue's
 * refreshDrawing uploads all of them. ``'all'`` when only the whole upload will do. */
export function uploadSlices(nv: Niivue, bitmap: Uint8Array, slab: Slab): 'done' | 'all' {
  if (slab.empty) return 'done'
  const dims = nv.back?.dimsRAS
  const texture = (nv as unknown as { drawTexture: WebGLTexture | null }).drawTexture
  if (!dims || !texture || nv.opts.is2DSliceShader) return 'all'
  const gl = nv.gl
  const plane = dims[1] * dims[2]
  gl.activeTexture(gl.TEXTURE7) // NiiVue's drawing texture unit (TEXTURE7_DRAW)
  gl.bindTexture(gl.TEXTURE_3D, texture)
  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1)
  gl.texSubImage3D(gl.TEXTURE_3D, 0, 0, 0, slab.lo, dims[1], dims[2], slab.hi - slab.lo, gl.RED, gl.UNSIGNED_BYTE,
    bitmap.subarray(slab.lo * plane, slab.hi * plane))
  return 'done'
}

interface DrawingInternals {
  drawBitmap: Uint8Array | null
  drawTexture: WebGLTexture | null
  r8Tex: (texture: WebGLTexture | null, unit: number, dims: number[], isInit?: boolean) => WebGLTexture
  drawClearAllUndoBitmaps: () => void
  createEmptyDrawing: () => void
}

/**
 * An empty drawing for the volume shown, made without NiiVue's createEmptyDrawing, which also fills a
 * second bitmap, uploads zeros and encodes an undo step of the whole volume (about a second on one
 * thread for a 512×512×300 CT): a new GPU texture is zero already. Whether only changed slices need
 * uploading from here on (false: NiiVue's own way was taken; upload everything once).
 */
export function createDrawing(nv: Niivue): boolean {
  const inner = nv as unknown as DrawingInternals
  const dims = nv.back?.dims
  if (!dims || nv.opts.is2DSliceShader) {
    inner.createEmptyDrawing()
    return false
  }
  inner.drawBitmap = new Uint8Array(dims[1] * dims[2] * dims[3])
  inner.drawTexture = inner.r8Tex(inner.drawTexture, nv.gl.TEXTURE7, dims, false)
  inner.drawClearAllUndoBitmaps()
  return true
}
