/**
 * Every mask of a case in one 8-bit label volume (no NiiVue here; viewer/overlays.ts shows it as
 * NiiVue's drawing layer). A voxel's value names the *set* of masks holding it (a "combination"),
 * so overlapping masks keep every member; the colour of each combination comes from a 256-entry
 * lookup table. Hiding, showing, recolouring or changing a mask's opacity rewrites that table only
 * (256 entries), never the voxels; adding or removing a mask touches that mask's voxels only.
 *
 * Values: 0 nothing, 1 and 2 reserved for the mask being edited (NiiVue's pen value and the fill
 * preview), 3..255 combinations. A case needs as many values as distinct overlaps actually occur
 * (12 masks of distinct organs: about 12 to 20); when all 253 are taken a new mask's voxels in the
 * combinations that did not fit keep their old value and ``overflow`` says so.
 */

import type { Rgb } from './colors'

export const EDIT_VALUE = 1
export const PREVIEW_VALUE = 2
const FIRST_COMBO = 3
const VALUES = 256

/** How a mask is to look in the lookup table. */
export interface MaskLook {
  key: string
  color: Rgb
  /** 0..1 */
  opacity: number
  visible: boolean
}

/** Per-axis tables from a file voxel (x, y, z) to its index in NiiVue's RAS voxel order:
 * ``x[x] + y[y] + z[z]`` (NiiVue's loadDrawing transform, from the image's ``permRAS``). */
export interface RasLookup {
  x: Int32Array
  y: Int32Array
  z: Int32Array
}

/** ``dims`` NIfTI style ([n, nx, ny, nz, ...]); ``permRAS`` NiiVue's (±1..±3 per RAS axis). */
export function rasLookup(permRAS: readonly number[], dims: readonly number[]): RasLookup {
  const layout = [0, 0, 0]
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) if (Math.abs(permRAS[i]) - 1 === j) layout[j] = i * Math.sign(permRAS[i])
  }
  let stride = 1
  const instride = [1, 1, 1]
  const inflip = [false, false, false]
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      if (Math.abs(layout[j]) !== i) continue
      instride[j] = stride
      if (layout[j] < 0 || Object.is(layout[j], -0)) inflip[j] = true
      stride *= dims[j + 1]
    }
  }
  const table = (n: number, s: number, flip: boolean) => Int32Array.from({ length: n }, (_, i) => (flip ? n - 1 - i : i) * s)
  return { x: table(dims[1], instride[0], inflip[0]), y: table(dims[2], instride[1], inflip[1]),
    z: table(dims[3], instride[2], inflip[2]) }
}

/** The RAS-order indices of a mask's set voxels (file order ``img``, ``dims`` [nx, ny, nz]), read
 * within ``box`` ([lo, hi) per file axis) when given. */
export function rasIndices(img: ArrayLike<number>, dims: readonly number[], lookup: RasLookup,
  box?: readonly (readonly number[])[] | null): Uint32Array {
  const [nx, ny, nz] = dims
  const lo = box ? box.map(([l]) => Math.max(0, l)) : [0, 0, 0]
  const hi = box ? box.map(([, h], a) => Math.min(dims[a], h)) : [nx, ny, nz]
  let out = new Uint32Array(1024)
  let n = 0
  for (let z = lo[2]; z < hi[2]; z++) {
    for (let y = lo[1]; y < hi[1]; y++) {
      const row = (z * ny + y) * nx
      const ras = lookup.y[y] + lookup.z[z]
      for (let x = lo[0]; x < hi[0]; x++) {
        if (!img[row + x]) continue
        if (n === out.length) {
          const grown = new Uint32Array(out.length * 2)
          grown.set(out)
          out = grown
        }
        out[n++] = ras + lookup.x[x]
      }
    }
  }
  return out.slice(0, n)
}

/** The combinations of masks in a label volume, kept in step with its voxels. */
export class ComboLabels {
  /** members of each value (sorted keys); null: free */
  private members: (string[] | null)[] = Array.from({ length: VALUES }, () => null)
  private byName = new Map<string, number>()
  /** voxels holding each value */
  private counts = new Float64Array(VALUES)
  /** masks some of whose voxels kept their old value for lack of free values (shown only in part) */
  private overflowed = new Set<string>()

  constructor(readonly bitmap: Uint8Array) {}

  /** Put mask ``key`` on its ``indices`` (RAS order, no repeats). */
  add(key: string, indices: Uint32Array): void {
    const whole = this.rewrite(indices, (old) => (old.includes(key) ? old : [...old, key].sort()))
    if (whole) this.overflowed.delete(key)
    else this.overflowed.add(key)
  }

  /** Take mask ``key`` off its ``indices``. */
  remove(key: string, indices: Uint32Array): void {
    // Where a smaller set found no value the voxel keeps the old one; ``key`` is then simply not
    // drawn there (the lookup table only colours masks it is given).
    this.rewrite(indices, (old) => old.filter((k) => k !== key))
    this.overflowed.delete(key)
  }

  /** Whether some mask is shown only in part (its overlaps with others ran out of values). */
  get overflow(): boolean {
    return this.overflowed.size > 0
  }

  /** The masks shown only in part. */
  partial(): ReadonlySet<string> {
    return this.overflowed
  }

  /** The masks a value stands for (empty for 0 and the edit values). */
  membersOf(value: number): readonly string[] {
    return this.members[value] ?? []
  }

  /** Values in use (combinations only). */
  used(): number {
    return this.byName.size
  }

  /**
   * The lookup table (256 RGBA entries) for ``looks`` in drawing order (later ones on top, each
   * blended over the ones below at its opacity); ``extra`` sets entries 1 and 2. ``alpha`` scales
   * every combination's opacity: ``interior`` (0..1) for NiiVue's outline mode, where the rim is drawn
   * at full strength and the inside at this.
   */
  lut(looks: readonly MaskLook[], extra: Record<number, [number, number, number, number]> = {}, interior = 1): Uint8ClampedArray {
    const out = new Uint8ClampedArray(VALUES * 4)
    const order = new Map(looks.map((look, i) => [look.key, i]))
    for (let v = FIRST_COMBO; v < VALUES; v++) {
      const members = this.members[v]
      if (!members) continue
      const shown = members.map((k) => order.get(k)).filter((i): i is number => i !== undefined && looks[i].visible)
        .sort((a, b) => a - b).map((i) => looks[i])
      let [r, g, b, a] = [0, 0, 0, 0]
      for (const look of shown) { // "over" blending, bottom to top
        const top = Math.max(0, Math.min(1, look.opacity))
        const under = a * (1 - top)
        const sum = top + under
        if (sum > 0) {
          r = (look.color[0] * top + r * under) / sum
          g = (look.color[1] * top + g * under) / sum
          b = (look.color[2] * top + b * under) / sum
        }
        a = sum
      }
      out.set([r, g, b, a > 0 ? Math.max(1, Math.round(a * interior * 255)) : 0], v * 4)
    }
    for (const [value, rgba] of Object.entries(extra)) out.set(rgba, Number(value) * 4)
    return out
  }

  /** Whether every voxel got the value of its new combination. */
  private rewrite(indices: Uint32Array, change: (old: string[]) => string[]): boolean {
    const bitmap = this.bitmap
    const hist = new Float64Array(VALUES)
    for (let i = 0; i < indices.length; i++) hist[bitmap[indices[i]]]++
    // The new value of each old one. A value emptied here is freed after the rewrite (not reused
    // within it): an old value kept for lack of a free one then still means what it meant.
    const next = new Int16Array(VALUES).fill(-1)
    let whole = true
    for (let old = 0; old < VALUES; old++) {
      if (!hist[old]) continue
      const members = change(this.membersOf(old).slice())
      const value = members.length ? this.valueOf(members) : 0
      if (value < 0) whole = false
      next[old] = value < 0 ? old : value
      this.counts[old] -= hist[old]
      this.counts[next[old]] += hist[old]
    }
    for (let i = 0; i < indices.length; i++) bitmap[indices[i]] = next[bitmap[indices[i]]]
    for (let old = FIRST_COMBO; old < VALUES; old++) if (hist[old] && this.counts[old] <= 0) this.free(old)
    return whole
  }

  private valueOf(members: string[]): number {
    const name = members.join('\u0000')
    const known = this.byName.get(name)
    if (known !== undefined) return known
    for (let v = FIRST_COMBO; v < VALUES; v++) if (!this.members[v]) return this.take(v, members)
    return -1
  }

  private take(value: number, members: string[]): number {
    this.members[value] = members
    this.byName.set(members.join('\u0000'), value)
    return value
  }

  private free(value: number): void {
    const members = this.members[value]
    if (!members) return
    this.byName.delete(members.join('\u0000'))
    this.members[value] = null
    this.counts[value] = 0
  }
}
