/**
 * What the views carry besides the images (no React): a 10 cm scale bar on EVERY 2D view (NiiVue
 * draws one, on the first 2D tile only, and none on a flipped, i.e. radiological, one), the
 * orientation letters NiiVue draws on each 2D view, and its orientation cube in the 3D view.
 *
 * ``drawMore`` draws the app's own marks there too (the measurements, viewer/measure.ts) and says
 * what it drew.
 *
 * What was drawn last is written on the canvas element (``data-scale-bars``: one entry per 2D view,
 * ``data-orientation``: each 2D view's letters, ``data-orient-cube``, ``data-measurements``,
 * ``data-tiles``: each view's name and left,top,width,height in canvas pixels), for the browser
 * tests and anyone inspecting the page: NiiVue draws into WebGL and keeps no such record itself.
 */

import type { Niivue } from '@niivue/niivue'

const RENDER = 4 // NiiVue's SLICE_TYPE.RENDER: the 3D tile
const VIEW_NAMES = ['axial', 'coronal', 'sagittal']

export interface Tile {
  leftTopWidthHeight: number[]
  axCorSag: number
  fovMM: number[]
}

/**
 * The scale bar of one 2D view: a 10 cm line centred at the bottom of the tile, clipped to it,
 * ``[x0, y, x1, y]`` in canvas pixels; null when the tile has no size or field of view. A flipped
 * view (negative field of view: radiological) measures the same.
 */
export function scaleBar(tile: Tile, lineWidth: number): [number, number, number, number] | null {
  const [left, top, width, height] = tile.leftTopWidthHeight
  const fov = Math.abs(tile.fovMM[0] ?? 0)
  if (!(width > 0 && height > 0 && fov > 0)) return null
  const px10cm = (100 / fov) * width
  const px1cm = Math.max(Math.round(px10cm * 0.1), 2)
  const x0 = Math.max(left, Math.floor(left + 0.5 * width - 0.5 * px10cm))
  const x1 = Math.min(left + width, Math.floor(left + 0.5 * width - 0.5 * px10cm) + px10cm)
  const y = Math.floor(top + height - px1cm) + 0.5 * lineWidth
  return x1 > x0 ? [x0, y, x1, y] : null
}

interface Internals {
  screenSlices: Tile[]
  drawRuler: () => void
  drawRuler10cm: (xyxy: number[], color: number[], width?: number) => void
  drawSliceOrientationText: (ltwh: number[], axCorSag: number, pad?: number[]) => void
  drawOrientationCube: (ltwh: number[], azimuth?: number, elevation?: number) => void
  drawSceneCore: () => unknown
}

/** The letters NiiVue puts on each side of a 2D view (top, bottom, screen-left, screen-right). */
export function orientationLetters(axCorSag: number, radiological: boolean, noseLeft = false): string {
  const top = axCorSag === 0 ? 'A' : 'S'
  const bottom = axCorSag === 0 ? 'P' : 'I'
  if (axCorSag === 2) return `${top}${bottom}${noseLeft ? 'AP' : 'PA'}`
  return `${top}${bottom}${radiological ? 'RL' : 'LR'}`
}

export function installAnnotations(nv: Niivue, drawMore: () => string[] = () => []): void {
  const inner = nv as unknown as Internals
  const bars: string[] = []
  const letters: string[] = []
  let cube = false
  let more: string[] = []
  inner.drawRuler = () => {
    const width = Number(nv.opts.rulerWidth)
    const color = nv.opts.rulerColor
    const outline = color[0] + color[1] + color[2] < 0.8 ? [1, 1, 1, 1] : [0, 0, 0, 1]
    for (const tile of inner.screenSlices) {
      if (tile.axCorSag === RENDER) continue
      const bar = scaleBar(tile, width)
      if (!bar) continue
      inner.drawRuler10cm(bar, outline, width + 1)
      inner.drawRuler10cm(bar, color, width)
      bars.push(VIEW_NAMES[tile.axCorSag] ?? String(tile.axCorSag))
    }
    more = drawMore()
  }
  const drawText = inner.drawSliceOrientationText.bind(nv)
  inner.drawSliceOrientationText = (ltwh, axCorSag, pad) => {
    drawText(ltwh, axCorSag, pad)
    if (nv.opts.isOrientationTextVisible) {
      letters.push(`${VIEW_NAMES[axCorSag] ?? axCorSag}:${orientationLetters(axCorSag, nv.opts.isRadiologicalConvention, nv.opts.sagittalNoseLeft)}`)
    }
  }
  const drawCube = inner.drawOrientationCube.bind(nv)
  let cubeDrawn: boolean | null = null // this frame's 3D drawing: whether it had the cube; null: not drawn
  let cubeInPicture = false // the 3D picture renderCache.ts shows again when nothing in it changed
  let inFrame = false
  inner.drawOrientationCube = (ltwh, azimuth, elevation) => {
    drawCube(ltwh, azimuth, elevation)
    const drawn = nv.opts.isOrientCube && 0.05 * Math.min(ltwh[2], ltwh[3]) >= 5 // NiiVue's size limit
    // NiiVue's draw3D draws the cube into every 3D picture: one drawn between frames is renderCache.ts's
    // picture drawn behind the shown one, shown next (or given up for one a frame draws itself).
    if (inFrame) cubeDrawn = !!cubeDrawn || drawn
    else cubeInPicture = drawn
  }
  const drawSceneCore = inner.drawSceneCore.bind(nv)
  inner.drawSceneCore = () => {
    bars.length = 0
    letters.length = 0
    cubeDrawn = null
    more = []
    inFrame = true
    let drawn: ReturnType<typeof drawSceneCore>
    try {
      drawn = drawSceneCore()
    } finally {
      inFrame = false
    }
    if (cubeDrawn !== null) cubeInPicture = cubeDrawn
    cube = cubeDrawn ?? (cubeInPicture && inner.screenSlices.some((tile) => tile.axCorSag === RENDER))
    const canvas = nv.canvas
    if (canvas) {
      canvas.dataset.scaleBars = bars.join(',')
      canvas.dataset.orientation = letters.join(' ')
      canvas.dataset.orientCube = cube ? 'shown' : ''
      canvas.dataset.measurements = more.join(' ')
      canvas.dataset.tiles = inner.screenSlices.map((tile) => `${VIEW_NAMES[tile.axCorSag] ?? 'render'}:${
        tile.leftTopWidthHeight.map(Math.round).join(',')}`).join(' ')
    }
    return drawn
  }
}
