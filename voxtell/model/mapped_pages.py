"""Give back the resident pages of a memory-mapped checkpoint as soon as they are copied.

``torch.load(mmap=True)`` maps the checkpoint file read-only and private; every page the loader
reads (validating aliases, copying into the network) stays in this process's resident set until
the whole file is unmapped, so loading peaked at weights x 2. After a tensor's private copy
exists, ``madvise(MADV_DONTNEED)`` drops its pages: a clean page of a private file mapping is
simply re-read from the file if touched again, so no data can change. Only ranges that
``/proc/self/maps`` shows as mappings *of the checkpoint file* are ever advised (never heap
memory, where DONTNEED would zero data); elsewhere than Linux this is a no-op.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import mmap
import sys
from pathlib import Path

import torch

logger = logging.getLogger(__name__)

_MADV_DONTNEED = 4


class MappedPageDropper:
    """Callable ``(tensor) -> None`` dropping the tensor's pages if they map ``path``."""

    def __init__(self, path: str | Path) -> None:
        self.ranges: list[tuple[int, int]] = []
        self._madvise = None
        if not sys.platform.startswith("linux"):
            return
        target = str(Path(path).resolve())
        try:
            with open("/proc/self/maps") as maps:
                for line in maps:
                    fields = line.split(maxsplit=5)
                    if len(fields) == 6 and fields[5].strip() == target:
                        lo, hi = (int(v, 16) for v in fields[0].split("-"))
                        self.ranges.append((lo, hi))
            libc = ctypes.CDLL(None, use_errno=True)
            libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
            self._madvise = libc.madvise
        except (OSError, AttributeError, ValueError):
            self.ranges = []

    def __call__(self, tensor: torch.Tensor) -> None:
        if not self.ranges or self._madvise is None or tensor.device.type != "cpu":
            return
        start = tensor.data_ptr()
        end = start + tensor.untyped_storage().nbytes() - tensor.storage_offset() * tensor.element_size()
        for lo, hi in self.ranges:
            if lo <= start and end <= hi:
                first = start - start % mmap.PAGESIZE
                last = min(hi, end + (-end) % mmap.PAGESIZE)
                if self._madvise(first, last - first, _MADV_DONTNEED) != 0:
                    logger.debug("madvise failed (errno %d)", ctypes.get_errno())
                return


def trim_heap() -> None:
    """Return freed heap memory to the OS (glibc ``malloc_trim``): the many mid-size temporaries
    of the encoder and the prompt transformer leave holes that would otherwise stay resident
    while the decoder allocates its large buffers. A no-op where unavailable."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
