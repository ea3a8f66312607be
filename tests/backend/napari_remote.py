"""napari-voxtell 0.2.0's own torch-free client (``napari_voxtell/remote/{client,serialization}.py``),
loaded without the package ``__init__`` (which imports napari and Qt).

The wheel is fetched once with pip into ``tests/.cache/`` (git-ignored); the two modules are
loaded with importlib under a stub ``napari_voxtell.remote`` package. Without network access and
without a cached wheel the tests that need it are skipped, saying why.

Run ``python -m tests.backend.napari_remote`` to fetch the wheel ahead of time.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import types
import zipfile
from pathlib import Path
from typing import Any

VERSION = "0.2.0"
CACHE = Path(__file__).resolve().parents[1] / ".cache"
WHEEL = CACHE / f"napari_voxtell-{VERSION}-py3-none-any.whl"
_STUB = "_napari_voxtell_stub"


def fetch_wheel() -> Path | None:
    """The napari-voxtell wheel in ``tests/.cache/`` (downloaded by pip if missing); None if
    it cannot be had."""
    if not WHEEL.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", f"napari-voxtell=={VERSION}", "--no-deps",
                        "--only-binary", ":all:", "-d", str(CACHE), "-q"], capture_output=True, timeout=300)
    return WHEEL if WHEEL.is_file() else None


def load_remote() -> tuple[Any, Any] | None:
    """``(client module, serialization module)`` of napari-voxtell, or None without the wheel."""
    if f"{_STUB}.remote.client" in sys.modules:
        return sys.modules[f"{_STUB}.remote.client"], sys.modules[f"{_STUB}.remote.serialization"]
    wheel = fetch_wheel()
    if wheel is None:
        return None
    folder = CACHE / f"napari_voxtell-{VERSION}"
    if not (folder / "client.py").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as zf:
            for name in ("client.py", "serialization.py"):
                (folder / name).write_bytes(zf.read(f"napari_voxtell/remote/{name}"))
    modules = {}
    for package in (_STUB, f"{_STUB}.remote"):
        stub = types.ModuleType(package)
        stub.__path__ = []  # a package, with nothing else in it
        sys.modules[package] = stub
    for name in ("serialization", "client"):
        source = (folder / f"{name}.py").read_text()
        # The client imports its serializer by the package's real name; point it at the stub.
        source = source.replace("napari_voxtell.remote.", f"{_STUB}.remote.")
        spec = importlib.util.spec_from_loader(f"{_STUB}.remote.{name}", loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        module.__file__ = str(folder / f"{name}.py")
        sys.modules[spec.name] = module
        exec(compile(source, module.__file__, "exec"), module.__dict__)
        modules[name] = module
    return modules["client"], modules["serialization"]


if __name__ == "__main__":
    print(fetch_wheel() or "napari-voxtell could not be downloaded")  # noqa: T201
