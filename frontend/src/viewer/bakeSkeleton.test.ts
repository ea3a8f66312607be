import { describe, expect, it } from 'vitest'
import { bakeWithoutVoxels } from './bakeSkeleton'

const RGBA8 = 0x8058
const R16I = 0x8233

/** A context that records the calls reaching it (its methods on the prototype, as WebGL's are). */
class RecordingGl {
  readonly RGBA8 = RGBA8
  calls: string[] = []
  texStorage3D(_target: number, _levels: number, format: number, w: number, h: number, d: number): void {
    this.calls.push(`storage ${format === RGBA8 ? 'rgba8' : 'raw'} ${w}x${h}x${d}`)
  }
  texSubImage3D(): void {
    this.calls.push('upload')
  }
  drawArrays(): void {
    this.calls.push('draw')
  }
}

/** What NiiVue's bake of a 512×512×300 image asks of WebGL: its colour texture, the raw volume, every slice drawn. */
function niivueBake(gl: WebGL2RenderingContext): void {
  gl.texStorage3D(0, 1, RGBA8, 512, 512, 300)
  gl.texStorage3D(0, 1, R16I, 512, 512, 300)
  gl.texSubImage3D(0, 0, 0, 0, 0, 512, 512, 300, 0, 0, new Int16Array(8))
  for (let z = 0; z < 3; z++) gl.drawArrays(5, 0, 4)
}

describe("bakeWithoutVoxels: NiiVue's bake without uploading or colouring the volume", () => {
  it('allocates the colour texture whole, the raw volume as one voxel, and uploads and draws nothing', () => {
    const gl = new RecordingGl()
    bakeWithoutVoxels(gl as unknown as WebGL2RenderingContext, () => niivueBake(gl as unknown as WebGL2RenderingContext))
    expect(gl.calls).toEqual(['storage rgba8 512x512x300', 'storage raw 1x1x1'])
  })

  it('leaves the context as it was afterwards, a failed bake included, and wrappers set on it in place', () => {
    const gl = new RecordingGl()
    const counted: string[] = []
    const wrapped = gl as unknown as { drawArrays: () => void }
    wrapped.drawArrays = () => { counted.push('draw') } // as the gradient skip and the upload counter wrap it
    expect(() => bakeWithoutVoxels(gl as unknown as WebGL2RenderingContext, () => { throw new Error('lost') })).toThrow('lost')
    niivueBake(gl as unknown as WebGL2RenderingContext)
    expect(gl.calls).toEqual(['storage rgba8 512x512x300', 'storage raw 512x512x300', 'upload'])
    expect(counted).toEqual(['draw', 'draw', 'draw'])
    expect(Object.prototype.hasOwnProperty.call(gl, 'texStorage3D')).toBe(false)
  })
})
