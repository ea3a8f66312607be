/**
 * NiiVue's colour texture of the image (what the 3D view renders) rebaked for a new window from the
 * intensities liveWindow.ts already holds on the GPU, a few slices per task.
 *
 * NiiVue's own bake uploads every voxel again (a third of a second of the main thread for a
 * 512×512×300 CT) and colours every slice in one call: 3.5 s of work for software WebGL, which the
 * next frame then waited for — a window change in a layout with a 3D view froze the page that long.
 * Here each task colours ``SLICE_VOXELS`` voxels and the next starts once the GPU has finished them (a
 * fence, polled each frame), so a frame drawn meanwhile waits for one task's slices at most; the 2D
 * views, which window as they draw, are current throughout, and the 3D view shows the new window
 * once the last slice is done (``onDone``).
 *
 * The colours are those of NiiVue's orient shader for the image's layer, for the colour maps it
 * bakes the same way here: a min-to-max map without a negative part, no modulation, not a label
 * volume (``supports``; anything else is left to NiiVue's bake). The intensities are half floats
 * (liveWindow.ts), so a colour could differ from NiiVue's by a level where a voxel sits on a step;
 * window3d.spec finds the 3D view's pixels identical to those of NiiVue's bake.
 */

import type { NVImage, Niivue } from '@niivue/niivue'
import { linkProgram } from './glProgram'
import { afterGpu } from './gpuFence'

/** Voxels coloured per task: about 50 ms of software WebGL (8 slices of a 512×512 CT). */
const SLICE_VOXELS = 1 << 21
/** A texture unit NiiVue never uses, for its colour maps while we bake. */
const COLORMAP_UNIT = 19

// The file's voxel coordinates of this slice's corners (voxel units), interpolated across it: the
// transform is affine, so each fragment gets its voxel's centre without a matrix product of its own.
const VERTEX = `#version 300 es
uniform float coordZ;
uniform mat4 liveRasToFile;
uniform highp sampler3D liveIntensity;
out vec3 fileVoxel;
void main() {
	vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
	fileVoxel = (liveRasToFile * vec4(corner, coordZ, 1.0)).xyz * vec3(textureSize(liveIntensity, 0));
	gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}`
// NiiVue's fragOrientShader for layer 0 with a min-to-max colour map and no negative part, reading the
// intensities (scaled to 0..1 of the volume's range, in the file's voxel order). The voxel's own texel
// is read unfiltered: each fragment sits on a voxel centre, where filtering returns that texel anyway,
// at eight reads instead of one for software WebGL.
const FRAGMENT = `#version 300 es
precision highp int;
precision highp float;
in vec3 fileVoxel;
out vec4 FragColor;
uniform highp sampler3D liveIntensity;
uniform highp sampler2D colormap;
uniform vec2 window;
uniform float opacity;
void main(void) {
	ivec3 size = textureSize(liveIntensity, 0);
	float f = texelFetch(liveIntensity, clamp(ivec3(fileVoxel), ivec3(0), size - 1), 0).r;
	float mn = min(window.x, window.y);
	float r = max(0.00001, abs(window.y - window.x));
	float txl = mix(0.0, 1.0, (f - mn) / r);
	if (f > mn) txl = max(txl, 2.0 / 256.0);
	float nlayer = float(textureSize(colormap, 0).y);
	FragColor = texture(colormap, vec2(txl, 1.5 / nlayer));
	FragColor.a *= opacity;
}`

interface Internals {
  volumeTexture: WebGLTexture | null
  colormapTexture: WebGLTexture | null
}

/** What a bake is made from: the intensities' texture, its unit, their range and voxel order. */
export interface Intensities {
  texture: WebGLTexture
  unit: number
  /** lowest value and span of the volume (the texture holds (v - lo) / span) */
  range: [number, number]
  rasToFile: Float32Array
}

/** Whether the image's colours are baked here as NiiVue would: else NiiVue's own bake. */
export function supports(volume: NVImage): boolean {
  const v = volume as NVImage & { colormapType?: number; modulationImage?: number | null; colormapLabel?: unknown }
  return (v.colormapType ?? 0) === 0 && !v.colormapNegative && v.modulationImage == null && !v.colormapLabel &&
    v.hdr?.intent_code !== 1002 && (v.nFrame4D ?? 1) <= 1
}

/** What NiiVue's colour texture holds for the image on screen. */
export enum Colours {
  /** the colours of the window last baked (or NiiVue's own bake) */
  Current = 'current',
  /** a bake under way: some slices of the new window, the others of an older one */
  Baking = 'baking',
  /** no window's: a bake stopped half-way, or a first bake whose voxels are still to come; the next
   * bake colours every slice */
  Awaited = 'awaited',
}

export class LiveBake {
  private state = Colours.Current
  private program: WebGLProgram | null = null
  private vao: WebGLVertexArrayObject | null = null
  private framebuffer: WebGLFramebuffer | null = null
  private generation = 0
  private done = 0
  private stopped = 0

  constructor(private readonly nv: Niivue) {}

  private get gl(): WebGL2RenderingContext {
    return this.nv.gl
  }

  /** Bake ``volume``'s colours for its window now, over the next tasks; ``onDone`` once the last
   * slice is coloured (not when a later call, ``cancel`` or ``awaitColours`` stops it). False where it cannot. */
  start(volume: NVImage, from: Intensities, onDone: () => void): boolean {
    const target = (this.nv as unknown as Internals).volumeTexture
    const dims = volume.dimsRAS
    if (!target || !dims || !this.prepare()) return false
    this.generation++
    const generation = this.generation
    const [lo, span] = from.range
    const window: [number, number] = [((volume.cal_min ?? lo) - lo) / span, ((volume.cal_max ?? lo + span) - lo) / span]
    const [nx, ny, nz] = [dims[1], dims[2], dims[3]]
    const perTask = Math.max(1, Math.floor(SLICE_VOXELS / (nx * ny)))
    this.set(Colours.Baking)
    const step = (z0: number) => {
      if (generation !== this.generation) return
      const z1 = Math.min(nz, z0 + perTask)
      this.colour(target, from, window, volume.opacity ?? 1, [nx, ny, nz], z0, z1)
      afterGpu(this.gl, () => {
        if (generation !== this.generation) return
        if (z1 < nz) {
          step(z1)
          return
        }
        this.done++
        this.set(Colours.Current)
        onDone()
      })
    }
    step(0)
    return true
  }

  /** What the colour texture holds now. */
  get colours(): Colours {
    return this.state
  }

  /** Whether a bake is under way. */
  get baking(): boolean {
    return this.state === Colours.Baking
  }

  /** Stop the bake under way, if any; the texture is then taken as it is (the slices already coloured
   * stay), and 3D pictures are drawn from it again. */
  cancel(): void {
    this.generation++
    this.set(Colours.Current)
  }

  /** The texture holds no window's colours until the next bake has coloured every slice: a bake under
   * way is stopped (for a later one), a first bake's voxels are yet to come. No 3D picture is drawn
   * from it meanwhile (renderCache.ts). */
  awaitColours(): void {
    if (this.state === Colours.Baking) {
      const data = (this.gl.canvas as HTMLCanvasElement).dataset
      if (data) data.liveBakesStopped3d = String(++this.stopped) // (for the tests)
    }
    this.generation++
    this.set(Colours.Awaited)
  }

  /** Colour slices [z0, z1) of ``target`` (RAS order, ``dims``), leaving the GL state as it was. */
  private colour(target: WebGLTexture, from: Intensities, window: [number, number], opacity: number,
    dims: number[], z0: number, z1: number): void {
    const gl = this.gl
    const program = gl.getParameter(gl.CURRENT_PROGRAM) as WebGLProgram | null
    const vao = gl.getParameter(gl.VERTEX_ARRAY_BINDING) as WebGLVertexArrayObject | null
    const framebuffer = gl.getParameter(gl.FRAMEBUFFER_BINDING) as WebGLFramebuffer | null
    const unit = gl.getParameter(gl.ACTIVE_TEXTURE) as number
    const caps = [gl.BLEND, gl.DEPTH_TEST, gl.CULL_FACE, gl.SCISSOR_TEST].map((cap) => [cap, gl.isEnabled(cap)] as const)
    for (const [cap] of caps) gl.disable(cap)
    gl.useProgram(this.program)
    gl.bindVertexArray(this.vao)
    gl.activeTexture(gl.TEXTURE0 + COLORMAP_UNIT)
    gl.bindTexture(gl.TEXTURE_2D, (this.nv as unknown as Internals).colormapTexture)
    gl.activeTexture(gl.TEXTURE0 + from.unit)
    gl.bindTexture(gl.TEXTURE_3D, from.texture)
    const u = (name: string) => gl.getUniformLocation(this.program!, name)
    gl.uniform1i(u('liveIntensity'), from.unit)
    gl.uniform1i(u('colormap'), COLORMAP_UNIT)
    gl.uniformMatrix4fv(u('liveRasToFile'), false, from.rasToFile)
    gl.uniform2f(u('window'), window[0], window[1])
    gl.uniform1f(u('opacity'), opacity)
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer)
    gl.viewport(0, 0, dims[0], dims[1])
    const coordZ = u('coordZ')
    for (let z = z0; z < z1; z++) {
      gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, target, 0, z)
      gl.uniform1f(coordZ, (z + 0.5) / dims[2])
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4)
    }
    gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, null, 0, 0)
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer)
    gl.viewport(0, 0, gl.canvas.width, gl.canvas.height) // as NiiVue's bake leaves it
    for (const [cap, on] of caps) (on ? gl.enable(cap) : gl.disable(cap))
    gl.activeTexture(unit)
    gl.bindVertexArray(vao)
    gl.useProgram(program)
  }

  /** The state, and the canvas's ``data-baking3d`` marking a texture whose colours are not current:
   * renderCache.ts draws no 3D picture meanwhile, and the tests wait for it. */
  private set(state: Colours): void {
    this.state = state
    const data = (this.gl.canvas as HTMLCanvasElement).dataset
    if (!data) return
    if (state !== Colours.Current) data.baking3d = '1'
    else delete data.baking3d
    data.liveBakes3d = String(this.done)
  }

  /** The program, an empty vertex array and the framebuffer, once. */
  private prepare(): boolean {
    if (this.program) return true
    const gl = this.gl
    const program = linkProgram(gl, VERTEX, FRAGMENT)
    if (!program) return false
    this.program = program
    this.vao = gl.createVertexArray()
    this.framebuffer = gl.createFramebuffer()
    return !!this.vao && !!this.framebuffer
  }
}
