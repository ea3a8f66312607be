/**
 * What the 2D views' live window is made of (liveWindow.ts): the lines added to NiiVue's slice
 * shader, the matrix from NiiVue's RAS texture coordinates to the file's voxel order the intensities
 * are kept in, and the intensities' scaling to the volume's range.
 */

/** Where a NaN voxel goes: below any window (the lowest half float), so it shows black. */
const NOT_A_NUMBER = -65504

const HEAD_ANCHOR = 'uniform highp sampler2D colormap;'
const SAMPLE_LINE = 'vec4 background = texture(volume, texPos);'
const EXTRA_UNIFORMS = `
uniform highp sampler3D liveIntensity;
uniform int liveWindowOn;
uniform mat4 liveRasToFile;
uniform vec2 liveWindow;`
// One texture read either way (software WebGL feels each); the baked colour's alpha is only read by
// NiiVue's isAlphaClipDark and backgroundMasksOverlays, which the viewer leaves off.
const LIVE_SAMPLE = `vec4 background;
	if (liveWindowOn == 1) {
		float liveV = texture(liveIntensity, (liveRasToFile * vec4(texPos, 1.0)).xyz).r;
		background = vec4(vec3(clamp((liveV - liveWindow.x) / (liveWindow.y - liveWindow.x), 0.0, 1.0)), 1.0);
	} else {
		background = texture(volume, texPos);
	}`

/** NiiVue's slice shader with the live window added; null when its text is not what we expect. */
export function liveSliceShaderSource(source: string): string | null {
  if (!source.includes(HEAD_ANCHOR) || source.split(SAMPLE_LINE).length !== 2) return null
  return source.replace(HEAD_ANCHOR, HEAD_ANCHOR + EXTRA_UNIFORMS).replace(SAMPLE_LINE, LIVE_SAMPLE)
}

/**
 * Column-major 4×4 matrix taking NiiVue's RAS texture coordinates to the file's own (both 0..1
 * across the volume): RAS axis r is file axis |permRAS[r]| - 1, reversed where permRAS[r] < 0.
 */
export function rasToFileMatrix(permRAS: readonly number[]): Float32Array {
  const m = new Float32Array(16)
  m[15] = 1
  for (let r = 0; r < 3; r++) {
    const file = Math.abs(permRAS[r]) - 1
    const flip = permRAS[r] < 0
    m[r * 4 + file] = flip ? -1 : 1 // column r (the RAS input), row ``file``
    if (flip) m[12 + file] = 1
  }
  return m
}

/** ``out[i] = img[start + i] * scale + offset`` for i < n; NaN voxels (float MR, PET) become a value
 * below any window, so they show black. */
export function scaleInto(out: Float32Array, img: ArrayLike<number>, start: number, n: number, scale: number,
  offset: number): void {
  for (let i = 0; i < n; i++) {
    const v = img[start + i] * scale + offset
    out[i] = v === v ? v : NOT_A_NUMBER
  }
}
