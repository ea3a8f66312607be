"""What a DICOM SEG or RTSTRUCT file holds, as JSON, for the browser tests (read with pydicom)."""

import json
import sys

import numpy as np
import pydicom

ds = pydicom.dcmread(sys.argv[1])
out = {"sop_class": str(ds.SOPClassUID), "modality": ds.Modality}
if ds.Modality == "SEG":
    frames = np.asarray(ds.pixel_array).reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns)
    frame_segment = [int(f.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
                     for f in ds.PerFrameFunctionalGroupsSequence]
    out["segments"] = [{"number": int(s.SegmentNumber), "label": str(s.SegmentLabel),
                        "voxels": int(sum(int(frames[i].sum()) for i, n in enumerate(frame_segment)
                                          if n == s.SegmentNumber))} for s in ds.SegmentSequence]
    out["referenced_series"] = [str(s.SeriesInstanceUID) for s in ds.ReferencedSeriesSequence]
else:
    colours = {int(c.ReferencedROINumber): [int(v) for v in getattr(c, "ROIDisplayColor", [])]
               for c in ds.ROIContourSequence}
    out["rois"] = [{"number": int(r.ROINumber), "name": str(r.ROIName), "color": colours.get(int(r.ROINumber), [])}
                   for r in ds.StructureSetROISequence]
    out["contours"] = {}
    for roi in ds.ROIContourSequence:
        contours = list(getattr(roi, "ContourSequence", []))
        out["contours"][int(roi.ReferencedROINumber)] = {
            "slices": len({round(float(c.ContourData[2]), 3) for c in contours}),
            "images": sorted({str(i.ReferencedSOPInstanceUID) for c in contours for i in c.ContourImageSequence}),
        }
    study = ds.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0]
    out["referenced_series"] = [str(s.SeriesInstanceUID) for s in study.RTReferencedSeriesSequence]
print(json.dumps(out))
