import { describe, expect, it } from 'vitest'
import { rasIndices, rasLookup } from '../lib/labelmap'
import { liveSliceShaderSource, rasToFileMatrix, scaleInto } from './liveSlice'

/** Column-major 4×4 ``m`` applied to point ``p``. */
const apply = (m: Float32Array, p: number[]) => [0, 1, 2].map((row) => m[row] * p[0] + m[4 + row] * p[1] + m[8 + row] * p[2] + m[12 + row])

/** Every signed permutation of the three axes, as NiiVue's permRAS. */
function permutations(): number[][] {
  const out: number[][] = []
  for (const order of [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]]) {
    for (let signs = 0; signs < 8; signs++) out.push(order.map((a, i) => (signs & (1 << i) ? -a : a)))
  }
  return out
}

describe('rasToFileMatrix', () => {
  it('is the identity for a RAS file and mirrors x for a LAS one', () => {
    expect(apply(rasToFileMatrix([1, 2, 3]), [0.1, 0.2, 0.3]).map((v) => +v.toFixed(6))).toEqual([0.1, 0.2, 0.3])
    expect(apply(rasToFileMatrix([-1, 2, 3]), [0.1, 0.2, 0.3]).map((v) => +v.toFixed(6))).toEqual([0.9, 0.2, 0.3])
  })

  it('takes every voxel centre to the file voxel NiiVue shows there, for all 48 axis orders', () => {
    const dims = [3, 4, 5]
    for (const permRAS of permutations()) {
      const lookup = rasLookup(permRAS, [3, ...dims])
      const m = rasToFileMatrix(permRAS)
      // The RAS grid's size along each RAS axis is the file's along the axis it comes from.
      const rasDims = permRAS.map((p) => dims[Math.abs(p) - 1])
      for (let z = 0; z < dims[2]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++) {
        const img = new Uint8Array(dims[0] * dims[1] * dims[2])
        img[(z * dims[1] + y) * dims[0] + x] = 1
        const [ras] = rasIndices(img, dims, lookup)
        const r = [ras % rasDims[0], Math.floor(ras / rasDims[0]) % rasDims[1], Math.floor(ras / (rasDims[0] * rasDims[1]))]
        const file = apply(m, r.map((v, a) => (v + 0.5) / rasDims[a]))
        expect(file.map((f, a) => Math.round(f * dims[a] - 0.5) + 0), `permRAS ${permRAS}, file voxel ${x},${y},${z}`).toEqual([x, y, z])
      }
    }
  })
})

describe('liveSliceShaderSource', () => {
  const shader = `uniform highp sampler2D colormap;\nin vec3 texPos;\nvoid main() {\n\tvec4 background = texture(volume, texPos);\n}`

  it('adds the window uniforms and reads the intensity where NiiVue reads its colour', () => {
    const live = liveSliceShaderSource(shader)!
    expect(live).toContain('uniform vec2 liveWindow;')
    expect(live).toContain('texture(liveIntensity, (liveRasToFile * vec4(texPos, 1.0)).xyz)')
    expect(live).toContain('background = texture(volume, texPos);') // NiiVue's colour until the intensities are in
  })

  it('leaves NiiVue alone when its shader is not the one this was written for', () => {
    expect(liveSliceShaderSource(shader.replace('texture(volume, texPos)', 'texture(volume, texPos.xy)'))).toBeNull()
    expect(liveSliceShaderSource(shader + shader.split('\n')[3])).toBeNull()
  })
})

describe('scaleInto', () => {
  it('scales a run of voxels to the 0..1 of the volume\'s range, NaN below every window', () => {
    const out = new Float32Array(3)
    // a CT's -1000..3000 HU: scale 1/4000, offset 1000/4000
    scaleInto(out, Float32Array.of(5, -1000, 1000, NaN, 3000), 1, 3, 1 / 4000, 0.25)
    expect(Array.from(out.slice(0, 2))).toEqual([0, 0.5])
    expect(out[2]).toBeLessThan(-60000)
  })
})
