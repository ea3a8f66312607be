"""Uploads: streamed to the data dir, validated from the header, never named by the client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.errors import BadInput
from backend.settings import Settings
from backend.store import Store
from voxtell.inference.exceptions import InvalidInputError
from voxtell.io import read_volume
from voxtell.io.itk import sniff_itk_format, validate_itk
from voxtell.io.nifti import LoadedVolume, volume_from_bytes, volume_summary
from voxtell.io.validation import InvalidImageError, validate_nifti

_CHUNK = 1 << 20
_KEEP_DECOMPRESSED = 64 << 20  # smaller gzip uploads are inflated once, by validation


async def stage_upload(upload: UploadFile, store: Store) -> tuple[Path, str]:
    """Copy an upload to a private temp file; returns it and its format suffix, by content
    (``.nii.gz``, ``.nii``, ``.nrrd`` or ``.mha``), never by the client's file name."""
    first = await upload.read(64)
    suffix = ".nii.gz" if first[:2] == b"\x1f\x8b" else (sniff_itk_format(first) or ".nii")
    path = store.tmp_path(suffix)
    with path.open("wb") as out:
        out.write(first)
        while chunk := await upload.read(_CHUNK):
            out.write(chunk)
    return path, suffix


def read_validated_nifti(staged: Path, settings: Settings) -> tuple[str, LoadedVolume]:
    """Validate a staged NIfTI (header first, gzip budget) and read it: ``(dtype, volume)``.

    A gzip file is inflated once: validation keeps the bytes of a small enough image for reading.

    Raises:
        InvalidImageError, InvalidInputError: naming the problem.
    """
    info = validate_nifti(staged, max_voxels=settings.max_voxels, max_bytes=settings.max_image_bytes,
                          keep_up_to=_KEEP_DECOMPRESSED)
    return info.dtype, volume_from_bytes(info.content) if info.content else read_volume(staged)


def ingest_volume(staged: Path, suffix: str, store: Store, settings: Settings,
                  remember: Callable[[str, LoadedVolume], None] | None = None) -> tuple[str, dict[str, Any]]:
    """Validate a staged NIfTI and store it as a volume; the staged file is removed on error."""
    try:
        if suffix in (".nrrd", ".mha"):
            _, dtype = validate_itk(staged, max_voxels=settings.max_voxels)
            fmt = suffix[1:]
            volume = read_volume(staged)
        else:
            dtype, volume = read_validated_nifti(staged, settings)
            fmt = "nifti"
    except (InvalidImageError, InvalidInputError) as exc:
        staged.unlink(missing_ok=True)
        raise BadInput(str(exc)) from None
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    meta = {**volume_summary(volume), "dtype": dtype, "format": fmt}
    volume_id = store.add_volume(staged, suffix, meta)
    if remember is not None:
        remember(volume_id, volume)
    return volume_id, meta


class BodyLimitMiddleware:
    """413 for bodies over the limit: by Content-Length up front, else while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"request body larger than the limit of {self.limit} bytes"
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _send_413(send, detail)
                return
        received = 0
        exceeded = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    exceeded = True
                    raise _TooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            # The framework may turn the aborted body into its own error: answer 413 instead.
            nonlocal replaced
            if exceeded:
                if not replaced:
                    replaced = True
                    await _send_413(send, detail)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if not replaced:
                await _send_413(send, detail)


class _TooLarge(Exception):
    pass


async def _send_413(send: Send, detail: str) -> None:
    import json

    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
