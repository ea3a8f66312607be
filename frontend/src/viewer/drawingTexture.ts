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
