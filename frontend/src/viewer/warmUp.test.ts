import { describe, expect, it } from 'vitest'
import { drawOffScreen } from './warmUp'

/** A context that records where draws go (its methods on the prototype, as WebGL's are). */
class RecordingGl {
  readonly FRAMEBUFFER = 0x8d40
  readonly RENDERBUFFER = 0x8d41
  readonly RENDERBUFFER_BINDING = 0x8ca7
  readonly RGBA8 = 0x8058
  readonly DEPTH24_STENCIL8 = 0x88f0
  readonly DEPTH_COMPONENT24 = 0x81a6
  readonly COLOR_ATTACHMENT0 = 0x8ce0
  readonly DEPTH_STENCIL_ATTACHMENT = 0x821a
  readonly DEPTH_ATTACHMENT = 0x8d00
  readonly drawingBufferWidth = 1400
  readonly drawingBufferHeight = 860
  bound: object | null = null
  renderbuffer: object | null = null
  live = new Set<object>()
  log: string[] = []
  constructor(private readonly attributes = { depth: true, stencil: true }) {}
  getContextAttributes() { return this.attributes }
  createFramebuffer() { const f = { kind: 'framebuffer' }; this.live.add(f); return f }
  createRenderbuffer() { const r = { kind: 'renderbuffer' }; this.live.add(r); return r }
  deleteFramebuffer(f: object) { this.live.delete(f) }
  deleteRenderbuffer(r: object) { this.live.delete(r) }
  getParameter() { return this.renderbuffer }
  bindRenderbuffer(_t: number, r: object | null) { this.renderbuffer = r }
  renderbufferStorage(_t: number, format: number, w: number, h: number) { this.log.push(`storage ${format.toString(16)} ${w}x${h}`) }
  framebufferRenderbuffer(_t: number, attachment: number) { this.log.push(`attach ${attachment.toString(16)}`) }
  bindFramebuffer(_t: number, f: object | null) { this.bound = f }
  drawArrays() { this.log.push(this.bound ? 'draw off screen' : 'draw on the canvas') }
}

/** What a scene's drawing does: binds the canvas, draws, and (as the 3D picture's copy) an FBO and back. */
function scene(gl: WebGL2RenderingContext) {
  gl.bindFramebuffer(gl.FRAMEBUFFER, null)
  gl.drawArrays(4, 0, 3)
  const own = gl.createFramebuffer()
  gl.bindFramebuffer(gl.FRAMEBUFFER, own)
  gl.drawArrays(4, 0, 3)
  gl.bindFramebuffer(gl.FRAMEBUFFER, null)
  gl.drawArrays(4, 0, 3)
  gl.deleteFramebuffer(own)
}

describe('drawOffScreen: a frame drawn where no commit reads it back', () => {
  it('sends every draw meant for the canvas to a framebuffer of its size and formats', () => {
    const gl = new RecordingGl()
    drawOffScreen(gl as unknown as WebGL2RenderingContext, () => scene(gl as unknown as WebGL2RenderingContext))
    expect(gl.log).toEqual(['storage 8058 1400x860', 'storage 88f0 1400x860', 'attach 8ce0', 'attach 821a',
      'draw off screen', 'draw off screen', 'draw off screen'])
    // Afterwards the canvas is the canvas again.
    expect(Object.prototype.hasOwnProperty.call(gl, 'bindFramebuffer')).toBe(false)
    scene(gl as unknown as WebGL2RenderingContext)
    expect(gl.log.slice(7)).toEqual(['draw on the canvas', 'draw off screen', 'draw on the canvas'])
  })

  it('leaves the canvas bound, its resources deleted and the context as it was, after a failed draw too', () => {
    const gl = new RecordingGl({ depth: true, stencil: false })
    const previous = { kind: 'renderbuffer of someone else' }
    gl.renderbuffer = previous
    const wrapped: string[] = []
    const context = gl as unknown as { bindFramebuffer: (t: number, f: object | null) => void }
    const original = RecordingGl.prototype.bindFramebuffer
    context.bindFramebuffer = (t, f) => { wrapped.push('bind'); original.call(gl, t, f) } // a wrapper set on the context
    const mine = context.bindFramebuffer
    expect(() => drawOffScreen(gl as unknown as WebGL2RenderingContext, () => { throw new Error('lost') })).toThrow('lost')
    expect(gl.log.slice(0, 4)).toEqual(['storage 8058 1400x860', 'storage 81a6 1400x860', 'attach 8ce0', 'attach 8d00'])
    expect(gl.bound).toBeNull()
    expect(gl.live.size).toBe(0)
    expect(gl.renderbuffer).toBe(previous)
    expect(context.bindFramebuffer).toBe(mine)
    scene(gl as unknown as WebGL2RenderingContext)
    expect(gl.log.slice(4)).toEqual(['draw on the canvas', 'draw off screen', 'draw on the canvas'])
  })
})
