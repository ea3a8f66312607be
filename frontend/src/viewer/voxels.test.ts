import type { Niivue } from '@niivue/niivue'
import { describe, expect, it } from 'vitest'
import { fracToVoxel, installVoxelSnap, isSnapped, snapFrac } from './voxels'

/** The parts of NiiVue the module uses, with NiiVue's own voxel/fraction formulas, on a 40×30×16 volume. */
function fakeNiivue(clicked: number[]) {
  const dims = [3, 40, 30, 16]
  const nv = {
    back: { dimsRAS: dims },
    frac2vox: (f: number[]) => [0, 1, 2].map((i) => Math.round(f[i] * dims[i + 1] - 0.5)),
    vox2frac: (v: number[]) => Float32Array.from([0, 1, 2].map((i) => (v[i] + 0.5) / dims[i + 1])),
    // NiiVue's mapping: the depth from a millimetre round trip (here: just off the border, as rounding leaves it)
    screenXY2TextureFrac: () => Float32Array.from(clicked),
    // the axial tile (0) shows slice 8 (its centre), the coronal one (1) slice 15
    screenSlices: [{ axCorSag: 0, sliceFrac: 8.5 / 16 }, { axCorSag: 1, sliceFrac: 15.5 / 30 }, { axCorSag: 4, sliceFrac: Infinity }],
  }
  return nv as unknown as Niivue & { screenXY2TextureFrac: (x: number, y: number, i: number, r?: boolean) => Float32Array }
}

describe('voxel-exact clicks', () => {
  it('keep the slice of the tile clicked, and land on the centre of the voxel under the pointer', () => {
    // Under the pointer: voxel (10, 20) of the axial tile; the depth a hair below slice 8's lower border.
    const nv = fakeNiivue([10.7 / 40, 20.2 / 30, 7.9999 / 16])
    installVoxelSnap(nv)
    const frac = nv.screenXY2TextureFrac(5, 5, 0, true)
    expect(fracToVoxel(nv, frac)).toEqual([10, 20, 8])
    expect(isSnapped(nv, frac)).toBe(true)
    // In the coronal tile the A axis is the tile's own.
    expect(fracToVoxel(nv, nv.screenXY2TextureFrac(5, 5, 1, true))).toEqual([10, 15, 7])
  })

  it('leave clicks outside the image and in the 3D rendering alone', () => {
    const outside = fakeNiivue([-1, -1, -1])
    installVoxelSnap(outside)
    expect(Array.from(outside.screenXY2TextureFrac(0, 0, 0, true))).toEqual([-1, -1, -1])
    const render = fakeNiivue([0.3, 0.3, 0.3])
    installVoxelSnap(render)
    expect(Array.from(render.screenXY2TextureFrac(0, 0, 2, true))).toEqual(Array.from(Float32Array.from([0.3, 0.3, 0.3])))
  })

  it('snap any position to the centre of its voxel, inside the volume', () => {
    const nv = fakeNiivue([0, 0, 0])
    expect(fracToVoxel(nv, snapFrac(nv, [0.5, 0.5, 0.5]))).toEqual([20, 15, 8]) // a border: the voxel NiiVue shows
    expect(fracToVoxel(nv, snapFrac(nv, [1.2, -0.1, 0.99]))).toEqual([39, 0, 15])
    expect(isSnapped(nv, [0.5, 0.5, 0.5])).toBe(false)
  })
})
