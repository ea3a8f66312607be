"""The engine's public surface: what a Python user and the server (``backend/``) may rely on.

Everything here is re-exported from a deeper module; those modules are internal and may move or
change, these names will not without notice. Import from here::

    from voxtell.api import VoxTellPredictor, read_volume, write_mask

Arrays are RAS arrays (see ``docs/architecture.md``): :func:`read_volume` returns the image
reoriented to the closest canonical RAS orientation and axis-reversed, so its axes are
``(A0, A1, A2) = (S, A, R)``; masks are ``(A0, A1, A2)`` (or ``(N, A0, A1, A2)`` for N prompts)
and :func:`write_mask` writes them back in the file's own orientation.

Importing this module is cheap: it never imports torch or transformers. The names whose modules
do (the predictor, model configuration and resolution, the embedding bank, the demo notice, the
sliding-window count) are imported on first use, through the module's ``__getattr__``.

Groups:

* predictor and model resolution: ``VoxTellPredictor``, ``find_embedding_bank``,
  ``load_model_config``, ``ModelConfig``, ``load_embedding_bank``, ``resolve_model_dir``,
  ``find_demo_or_real_model``, ``DEMO_NOTICE``, ``window_count``
* reading and writing volumes, geometry: ``read_volume``, ``write_mask``, ``LoadedVolume``,
  ``VolumeGeometry``, ``volume_from_bytes``, ``volume_from_image``, ``volume_summary``,
  ``validate_nifti``, ``NiftiInfo``, ``sniff_itk_format``, ``validate_itk``
* DICOM and DICOMweb: ``ZipLimits``, ``safe_extract_zip``, ``scan_series``, ``SeriesInfo``,
  ``load_series``, ``DicomVolume``, ``ArchiveConfig``, ``open_archive``, ``archive_errors``,
  ``retrieve_series``, ``store_file``, ``orientation_hint``
* exports (DICOM SEG, RTSTRUCT): ``save_source_headers``, ``write_dicom_seg``,
  ``write_dicom_seg_from_files``, ``write_rtstruct``, ``write_rtstruct_from_files``
* packed wire format (the official ``voxtell-server`` protocol): ``pack_array``,
  ``unpack_array``, ``stack_ras_masks``, ``label_map_for_export``
* post-processing and statistics: ``keep_largest_component``, ``fill_holes``, ``as_mask``,
  ``combine_labels``, ``mask_statistics``, ``mask_location``
* errors: ``VoxTellError``, ``InvalidInputError``, ``InvalidImageError``, ``UnsafeInputError``,
  ``ComputeBudgetExceeded``, ``InferenceCancelled``, ``DicomWebError``, ``ModelNotFoundError``,
  ``ModelConfigError``, ``CheckpointError``, ``EmbeddingBankError``
* environment and logging: ``configure_cuda_allocator``, ``voxtell_home``,
  ``keep_identifiers_out_of_logs``
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Light names: none of these modules imports torch or transformers.
from voxtell.env import configure_cuda_allocator, voxtell_home
from voxtell.errors import (
    ComputeBudgetExceeded,
    InferenceCancelled,
    InvalidImageError,
    InvalidInputError,
    UnsafeInputError,
    VoxTellError,
)
from voxtell.io.dicom import DicomVolume, SeriesInfo, ZipLimits, load_series, safe_extract_zip, scan_series
from voxtell.io.dicom_export import (
    save_source_headers,
    write_dicom_seg,
    write_dicom_seg_from_files,
    write_rtstruct_from_files,
)
from voxtell.io.dicomweb import (
    ArchiveConfig,
    DicomWebError,
    archive_errors,
    open_archive,
    orientation_hint,
    retrieve_series,
    store_file,
)
from voxtell.io.itk import sniff_itk_format, validate_itk
from voxtell.io.nifti import (
    LoadedVolume,
    VolumeGeometry,
    read_volume,
    volume_from_bytes,
    volume_from_image,
    volume_summary,
    write_mask,
)
from voxtell.io.packed import label_map_for_export, pack_array, stack_ras_masks, unpack_array
from voxtell.io.rtstruct import write_rtstruct
from voxtell.io.validation import NiftiInfo, validate_nifti
from voxtell.logs import keep_identifiers_out_of_logs
from voxtell.postprocess import (
    as_mask,
    combine_labels,
    fill_holes,
    keep_largest_component,
    mask_location,
    mask_statistics,
)
from voxtell.protocols import (
    Protocol,
    ProtocolError,
    Structure,
    protocol_from_dict,
    protocol_to_dict,
    protocols_from_yaml,
    protocols_to_yaml,
    shipped_protocols,
)

if TYPE_CHECKING:  # the lazy names, for type checkers (imported on first use at run time)
    from voxtell.demo import DEMO_NOTICE
    from voxtell.inference.predictor import VoxTellPredictor, find_embedding_bank
    from voxtell.inference.sliding_window import window_count
    from voxtell.model.checkpoint import CheckpointError
    from voxtell.model.config import ModelConfig, ModelConfigError, load_model_config
    from voxtell.resolve import ModelNotFoundError, find_demo_or_real_model, resolve_model_dir
    from voxtell.text.bank import EmbeddingBankError, load_embedding_bank

# name -> the module that defines it; each of these modules imports torch (directly or through
# its package), so it is imported only when the name is first asked for.
_LAZY: dict[str, str] = {
    "VoxTellPredictor": "voxtell.inference.predictor",
    "find_embedding_bank": "voxtell.inference.predictor",
    "window_count": "voxtell.inference.sliding_window",
    "ModelConfig": "voxtell.model.config",
    "ModelConfigError": "voxtell.model.config",
    "load_model_config": "voxtell.model.config",
    "CheckpointError": "voxtell.model.checkpoint",
    "load_embedding_bank": "voxtell.text.bank",
    "EmbeddingBankError": "voxtell.text.bank",
    "ModelNotFoundError": "voxtell.resolve",
    "find_demo_or_real_model": "voxtell.resolve",
    "resolve_model_dir": "voxtell.resolve",
    "DEMO_NOTICE": "voxtell.demo",
}

__all__ = [
    # protocols of named structures
    "Protocol",
    "ProtocolError",
    "Structure",
    "protocol_from_dict",
    "protocol_to_dict",
    "protocols_from_yaml",
    "protocols_to_yaml",
    "shipped_protocols",
    # predictor and model resolution
    "DEMO_NOTICE",
    "ModelConfig",
    "VoxTellPredictor",
    "find_demo_or_real_model",
    "find_embedding_bank",
    "load_embedding_bank",
    "load_model_config",
    "resolve_model_dir",
    "window_count",
    # reading and writing volumes, geometry
    "LoadedVolume",
    "NiftiInfo",
    "VolumeGeometry",
    "read_volume",
    "sniff_itk_format",
    "validate_itk",
    "validate_nifti",
    "volume_from_bytes",
    "volume_from_image",
    "volume_summary",
    "write_mask",
    # DICOM and DICOMweb
    "ArchiveConfig",
    "DicomVolume",
    "SeriesInfo",
    "ZipLimits",
    "archive_errors",
    "load_series",
    "open_archive",
    "orientation_hint",
    "retrieve_series",
    "safe_extract_zip",
    "scan_series",
    "store_file",
    # exports (DICOM SEG, RTSTRUCT)
    "save_source_headers",
    "write_dicom_seg",
    "write_dicom_seg_from_files",
    "write_rtstruct",
    "write_rtstruct_from_files",
    # packed wire format
    "label_map_for_export",
    "pack_array",
    "stack_ras_masks",
    "unpack_array",
    # post-processing and statistics
    "as_mask",
    "combine_labels",
    "fill_holes",
    "keep_largest_component",
    "mask_location",
    "mask_statistics",
    # errors
    "CheckpointError",
    "ComputeBudgetExceeded",
    "DicomWebError",
    "EmbeddingBankError",
    "InferenceCancelled",
    "InvalidImageError",
    "InvalidInputError",
    "ModelConfigError",
    "ModelNotFoundError",
    "UnsafeInputError",
    "VoxTellError",
    # environment and logging
    "configure_cuda_allocator",
    "keep_identifiers_out_of_logs",
    "voxtell_home",
]


if not TYPE_CHECKING:  # type checkers see the imports above, and a misspelt name stays an error

    def __getattr__(name: str) -> Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # later look-ups skip this function
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
