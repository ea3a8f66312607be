/**
 * The two off-screen pictures of the 3D view renderCache.ts keeps — the one shown (its colour and
 * depth bound on texture units of their own, copied to the canvas each frame) and the one drawn
 * behind it — and the copy onto the canvas.
 */

import { linkProgram } from './glProgram'
import type { UploadCounter } from './glUploads'

/** Texture units NiiVue never uses (it goes up to 15; liveWindow.ts has 20). */
export const COLOR_UNIT = 21
export const DEPTH_UNIT = 22

/** A rectangle in GL pixels: left, bottom, width, height. */
export type GlBox = [number, number, number, number]

/** An off-screen colour + depth target as large as the canvas. */
export interface PictureTarget {
  framebuffer: WebGLFramebuffer
  color: WebGLTexture | null
  depth: WebGLTexture | null
  size: [number, number]
}

const COPY_VERTEX = `#version 300 es
void main() {
	vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
	gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}`
// The target is as large as the canvas: the pixel under each fragment is the one to copy.
const COPY_FRAGMENT = `#version 300 es
precision highp float;
uniform highp sampler2D pictureColor;
uniform highp sampler2D pictureDepth;
out vec4 color;
void main() {
	ivec2 pixel = ivec2(gl_FragCoord.xy);
	color = texelFetch(pictureColor, pixel, 0);
	gl_FragDepth = texelFetch(pictureDepth, pixel, 0).r;
}`

export class PictureTargets {
  /** the picture shown (its textures bound on COLOR_UNIT / DEPTH_UNIT), and the one drawn behind it */
  front: PictureTarget | null = null
  back: PictureTarget | null = null
  private program: WebGLProgram | null = null
  private vao: WebGLVertexArrayObject | null = null

  /** ``counter``: the context's upload count, which what is done here must not move. */
  constructor(private readonly gl: WebGL2RenderingContext, private readonly counter: UploadCounter) {}

  /** The copy's program and the two framebuffers; false where the context cannot have them. */
  create(): boolean {
    const gl = this.gl
    if (gl.getParameter(gl.MAX_COMBINED_TEXTURE_IMAGE_UNITS) <= DEPTH_UNIT) return false
    this.program = this.compile()
    this.vao = gl.createVertexArray()
    const front = gl.createFramebuffer()
    const back = gl.createFramebuffer()
    if (!this.program || !this.vao || !front || !back) return false
    this.front = { framebuffer: front, color: null, depth: null, size: [0, 0] }
    this.back = { framebuffer: back, color: null, depth: null, size: [0, 0] }
    return true
  }

  /** Whether ``framebuffer`` is one of these pictures'. */
  owns(framebuffer: WebGLFramebuffer): boolean {
    return framebuffer === this.front?.framebuffer || framebuffer === this.back?.framebuffer
  }

  /** The picture drawn behind becomes the one shown. */
  swap(): void {
    ;[this.front, this.back] = [this.back, this.front]
    this.bindFront()
  }

  /** The shown picture onto the canvas, colour and depth, in ``glBox``. Its textures stay bound on
   * their own units (``bindFront``), which nothing else uses. */
  copy(glBox: GlBox): void {
    const gl = this.gl
    const vao = gl.getParameter(gl.VERTEX_ARRAY_BINDING) as WebGLVertexArrayObject | null
    gl.viewport(glBox[0], glBox[1], glBox[2], glBox[3])
    gl.useProgram(this.program)
    gl.disable(gl.BLEND)
    gl.disable(gl.CULL_FACE)
    gl.enable(gl.DEPTH_TEST)
    gl.depthFunc(gl.ALWAYS)
    gl.depthMask(true)
    gl.bindVertexArray(this.vao)
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4)
    gl.bindVertexArray(vao)
  }

  /** ``target``'s colour and depth textures as large as the canvas. */
  size(target: PictureTarget, width: number, height: number): void {
    if (target.size[0] === width && target.size[1] === height && target.color) return
    const gl = this.gl
    this.counter.quietly(() => {
      if (target.color) gl.deleteTexture(target.color)
      if (target.depth) gl.deleteTexture(target.depth)
      const activeTexture = this.counter.unit
      target.color = this.newTexture(COLOR_UNIT, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, width, height)
      target.depth = this.newTexture(DEPTH_UNIT, gl.DEPTH_COMPONENT24, gl.DEPTH_COMPONENT, gl.UNSIGNED_INT, width, height)
      gl.bindFramebuffer(gl.FRAMEBUFFER, target.framebuffer)
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, target.color, 0)
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.DEPTH_ATTACHMENT, gl.TEXTURE_2D, target.depth, 0)
      gl.bindFramebuffer(gl.FRAMEBUFFER, null)
      if (target !== this.front) this.bindFront()
      gl.activeTexture(activeTexture)
    })
    target.size = [width, height]
  }

  /** The shown picture's textures on the copy's units. */
  private bindFront(): void {
    const gl = this.gl
    const activeTexture = this.counter.unit
    gl.activeTexture(gl.TEXTURE0 + COLOR_UNIT)
    gl.bindTexture(gl.TEXTURE_2D, this.front!.color)
    gl.activeTexture(gl.TEXTURE0 + DEPTH_UNIT)
    gl.bindTexture(gl.TEXTURE_2D, this.front!.depth)
    gl.activeTexture(activeTexture)
  }

  /** A new ``width``×``height`` texture, left bound on ``unit``; read texel by texel (no filtering). */
  private newTexture(unit: number, internalFormat: number, format: number, type: number, width: number,
    height: number): WebGLTexture | null {
    const gl = this.gl
    gl.activeTexture(gl.TEXTURE0 + unit)
    const texture = gl.createTexture()
    gl.bindTexture(gl.TEXTURE_2D, texture)
    gl.texImage2D(gl.TEXTURE_2D, 0, internalFormat, width, height, 0, format, type, null)
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
    return texture
  }

  private compile(): WebGLProgram | null {
    const gl = this.gl
    const program = linkProgram(gl, COPY_VERTEX, COPY_FRAGMENT)
    if (!program) return null
    const previous = gl.getParameter(gl.CURRENT_PROGRAM) as WebGLProgram | null
    gl.useProgram(program)
    gl.uniform1i(gl.getUniformLocation(program, 'pictureColor'), COLOR_UNIT)
    gl.uniform1i(gl.getUniformLocation(program, 'pictureDepth'), DEPTH_UNIT)
    gl.useProgram(previous)
    return program
  }
}
