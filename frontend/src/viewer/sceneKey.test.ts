import type { Niivue } from '@niivue/niivue'
import { describe, expect, it } from 'vitest'
import { sceneKey, viewKey } from './sceneKey'

/** The parts of a NiiVue instance sceneKey reads, with one volume and one surface. */
function viewer() {
  return {
    gl: { canvas: { width: 800, height: 600 } },
    scene: { renderAzimuth: 110, renderElevation: 10, volScaleMultiplier: 1, clipPlaneDepthAziElevs: [[2, 0, 0]],
      crosshairPos: [0.5, 0.5, 0.5] },
    pivot3D: [0, 0, 0], furthestFromPivot: 100,
    opts: { show3Dcrosshair: true, meshXRay: 0.4, isOrientCube: true, crosshairWidth: 1, crosshairColor: [0, 0, 1, 1] },
    volumes: [{ id: 'ct', opacity: 1, colormap: 'gray', cal_min: -160, cal_max: 240 }],
    meshes: [{ id: 'liver', visible: true, opacity: 1, meshShaderIndex: 0, rgba255: new Uint8Array([255, 0, 0, 255]) }],
    renderShader: {}, gradientTextureAmount: 0, renderDrawAmbientOcclusion: 0.4, drawOpacity: 1,
    document: { labels: [] },
  }
}
const key = (nv: ReturnType<typeof viewer>, box = [0, 0, 400, 300]) => sceneKey(nv as unknown as Niivue, box)

describe('sceneKey: what the stored 3D picture depends on', () => {
  it('ignores what only the 2D views show: the crosshair, the window', () => {
    const nv = viewer()
    const before = key(nv)
    nv.scene.crosshairPos = [0.1, 0.2, 0.3]
    nv.volumes[0].cal_min = -1000
    nv.volumes[0].cal_max = 400
    expect(key(nv)).toBe(before)
  })

  it('changes with the tile, the canvas, the camera, a surface, an option and the render shader', () => {
    const changes: ((nv: ReturnType<typeof viewer>) => void)[] = [
      (nv) => { nv.gl.canvas.width = 801 },
      (nv) => { nv.scene.renderAzimuth = 111 },
      (nv) => { nv.scene.renderElevation = 11 },
      (nv) => { nv.scene.volScaleMultiplier = 1.1 },
      (nv) => { nv.scene.clipPlaneDepthAziElevs = [[0.3, 0, 0]] },
      (nv) => { nv.meshes[0].rgba255[1] = 255 },
      (nv) => { nv.meshes[0].visible = false },
      (nv) => { nv.meshes[0].opacity = 0.5 },
      (nv) => { nv.meshes.pop() },
      (nv) => { nv.opts.meshXRay = 0 },
      (nv) => { nv.renderShader = {} },
      (nv) => { nv.volumes[0].opacity = 0.5 },
    ]
    for (const change of changes) {
      const nv = viewer()
      const before = key(nv)
      change(nv)
      expect(key(nv), change.toString()).not.toBe(before)
    }
    expect(key(viewer(), [0, 0, 400, 301])).not.toBe(key(viewer()))
  })

  it('follows the crosshair where the render shader clips at it (NiiVue gradientTextureAmount < 0)', () => {
    const nv = viewer()
    nv.gradientTextureAmount = -1
    const before = key(nv)
    nv.scene.crosshairPos = [0.1, 0.2, 0.3]
    expect(key(nv)).not.toBe(before)
  })

  it('ignores the crosshair options: the crosshair is drawn over the picture, never in it', () => {
    const nv = viewer()
    const before = key(nv)
    nv.opts.show3Dcrosshair = false
    nv.opts.crosshairWidth = 0
    nv.opts.crosshairColor = [1, 0, 0, 1]
    expect(key(nv)).toBe(before)
  })
})

describe('viewKey: a change drawn in its frame, not behind the shown picture', () => {
  const view = (nv: ReturnType<typeof viewer>, box = [0, 0, 400, 300]) => viewKey(nv as unknown as Niivue, box)
  it('stays for what the picture shows: surfaces, options, volumes', () => {
    const nv = viewer()
    const before = view(nv)
    nv.meshes[0].visible = false
    nv.meshes[0].rgba255[1] = 255
    nv.opts.meshXRay = 0
    nv.volumes[0].opacity = 0.5
    expect(view(nv)).toBe(before)
  })
  it('changes with the tile, the canvas and the camera', () => {
    const changes: ((nv: ReturnType<typeof viewer>) => void)[] = [
      (nv) => { nv.gl.canvas.height = 601 },
      (nv) => { nv.scene.renderAzimuth = 111 },
      (nv) => { nv.scene.renderElevation = 11 },
      (nv) => { nv.scene.volScaleMultiplier = 1.1 },
      (nv) => { nv.scene.clipPlaneDepthAziElevs = [[0.3, 0, 0]] },
    ]
    for (const change of changes) {
      const nv = viewer()
      const before = view(nv)
      change(nv)
      expect(view(nv), change.toString()).not.toBe(before)
    }
    expect(view(viewer(), [10, 0, 400, 300])).not.toBe(view(viewer()))
  })
})
