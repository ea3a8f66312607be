/**
 * Voxel-exact interaction with NiiVue (no React): the crosshair always sits on a voxel centre of
 * the base volume, and a click, drag or pen stroke in a 2D view maps to the voxel under the
 * pointer on the slice that view shows, so a click never changes the slice of the view it is in.
 *
 * NiiVue finds the clicked position through a round trip in millimetres; when the crosshair lies
 * on the border between two slices (the middle of a volume with an even slice count, or any
 * position restored from millimetres) rounding errors tip the click, and the pen, onto the
 * adjacent slice. Here the depth is the tile's own slice and the position is snapped to a voxel.
 */

import type { Niivue } from '@niivue/niivue'

export type Vec3 = [number, number, number]

/** What NiiVue records of each 2D tile on screen (0 axial, 1 coronal, 2 sagittal; 4 the 3D rendering). */
interface ClickInternals {
  screenSlices: { axCorSag: number; sliceFrac: number }[]
  screenXY2TextureFrac: (x: number, y: number, i: number, restrict0to1?: boolean) => ArrayLike<number>
}

/** The voxel (NiiVue's RAS voxel order, 0-based) holding the fractional position ``frac``, inside the volume. */
export function fracToVoxel(nv: Niivue, frac: ArrayLike<number>): Vec3 {
  const dims = nv.back!.dimsRAS!
  const vox = nv.frac2vox([frac[0], frac[1], frac[2]])
  return [0, 1, 2].map((i) => Math.max(0, Math.min(dims[i + 1] - 1, Math.round(vox[i])))) as Vec3
}

/** The fractional position of a voxel's centre. */
export function voxelCentre(nv: Niivue, vox: Vec3): Vec3 {
  const frac = nv.vox2frac(vox)
  return [frac[0], frac[1], frac[2]]
}

/** ``frac`` moved to the centre of the voxel holding it. */
export function snapFrac(nv: Niivue, frac: ArrayLike<number>): Vec3 {
  return voxelCentre(nv, fracToVoxel(nv, frac))
}

/** Whether ``frac`` is already a voxel centre (to float precision). */
export function isSnapped(nv: Niivue, frac: ArrayLike<number>): boolean {
  const centre = snapFrac(nv, frac)
  const dims = nv.back!.dimsRAS!
  return centre.every((c, i) => Math.abs(c - frac[i]) * dims[i + 1] < 1e-3)
}

/** The axis of NiiVue's fractional position that a 2D tile's slice fixes (axial: S, coronal: A, sagittal: R). */
export function depthAxis(axCorSag: number): number {
  return 2 - axCorSag
}

/** Make NiiVue's screen-to-volume mapping voxel-exact on the instance (see the module comment). */
export function installVoxelSnap(nv: Niivue): void {
  const inner = nv as unknown as ClickInternals
  const toFrac = inner.screenXY2TextureFrac.bind(nv)
  inner.screenXY2TextureFrac = (x, y, i, restrict0to1 = true) => {
    const frac = toFrac(x, y, i, restrict0to1)
    const tile = inner.screenSlices[i]
    const outside = frac[0] === -1 && frac[1] === -1 && frac[2] === -1
    if (outside || !tile || tile.axCorSag > 2 || !nv.back?.dimsRAS) return frac
    const out: Vec3 = [frac[0], frac[1], frac[2]]
    // The slice the tile shows: exactly the depth it was drawn with, never a recomputed one.
    if (Number.isFinite(tile.sliceFrac)) out[depthAxis(tile.axCorSag)] = tile.sliceFrac
    return Float32Array.from(restrict0to1 ? snapFrac(nv, out) : out)
  }
}
