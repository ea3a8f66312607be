"""An API node in distributed mode reads only the model folder's metadata (``plans.json``, the
hyperparameters and the embedding bank), never the network's checkpoint or the text encoder:
it needs no GPU and little memory (docs/deployment.md). Proved with the kernel's own record of
every open of a file in the model folder (inotify), whoever opens it and however: Python's
``open``, ``torch.load``, a memory map or safetensors' Rust reader alike."""

from __future__ import annotations

import ctypes
import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend import Settings, create_app
from tests.services import postgres_server, redis_server
from voxtell.demo import CHECKPOINT_FILE, ensure_demo_model

IN_OPEN = 0x20
IN_NONBLOCK = os.O_NONBLOCK
METADATA = {"plans.json", "voxtell_hyperparameters.json", "text_embeddings.npz"}


class OpenWatch:
    """Every file opened (by any process) in the given folders since the watch began."""

    def __init__(self, folders: list[Path]) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(IN_NONBLOCK)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.folders: dict[int, Path] = {}
        for folder in folders:
            wd = self.libc.inotify_add_watch(self.fd, str(folder).encode(), IN_OPEN)
            if wd < 0:
                raise OSError(ctypes.get_errno(), f"inotify_add_watch {folder}")
            self.folders[wd] = folder
        self.seen: list[Path] = []

    def opened(self) -> list[Path]:
        while True:
            try:
                buffer = os.read(self.fd, 65536)
            except BlockingIOError:
                return list(self.seen)
            offset = 0
            while offset < len(buffer):
                wd, mask, _, size = struct.unpack_from("iIII", buffer, offset)
                name = buffer[offset + 16: offset + 16 + size].rstrip(b"\0").decode()
                if mask & IN_OPEN and name:
                    self.seen.append(self.folders[wd] / name)
                offset += 16 + size

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture()
def model(tmp_path: Path) -> Path:
    return ensure_demo_model(tmp_path / "model")


@pytest.fixture()
def watch(model: Path) -> Iterator[OpenWatch]:
    watcher = OpenWatch([model, *(p for p in model.rglob("*") if p.is_dir())])
    yield watcher
    watcher.close()


def test_an_api_node_in_distributed_mode_never_opens_the_checkpoint(model: Path, watch: OpenWatch,
                                                                    tmp_path: Path) -> None:
    checkpoint = model / CHECKPOINT_FILE
    assert checkpoint.is_file() and (model / "text_encoder" / "model.safetensors").is_file()
    with redis_server() as redis, postgres_server() as postgres:
        settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none", model=str(model),
                            broker_url=redis.url, database_url=postgres.url)
        with TestClient(create_app(settings)) as client:  # the default predictor factory
            info = client.get("/api/info")
            assert info.status_code == 200, info.text
            assert info.json()["mode"] == "distributed" and info.json()["demo"] is True
            prompts = client.get("/api/prompts", params={"q": "liv"})
            assert prompts.status_code == 200 and "liver" in prompts.json(), prompts.text
            opened = {p.relative_to(model).as_posix() for p in watch.opened()}
    assert "plans.json" in opened, "the node read the model folder (and the watch saw it)"
    assert opened <= METADATA, f"an API node opened {sorted(opened - METADATA)}"
    with checkpoint.open("rb"):  # the watch sees the checkpoint's opens too
        pass
    assert checkpoint in watch.opened()
