"""Image input/output for the engine."""

from voxtell.io.nifti import LoadedVolume, VolumeGeometry, is_nifti_path, read_volume, write_mask

__all__ = ["LoadedVolume", "VolumeGeometry", "is_nifti_path", "read_volume", "write_mask"]
