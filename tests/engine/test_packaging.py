"""The engine stands without the server: no server package is imported by ``voxtell`` and none is
among the project's core dependencies (they are the ``server`` / ``cluster`` extras)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
# distribution names as pip spells them; the import names differ for python-multipart and pydantic-settings
SERVER_DISTRIBUTIONS = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "celery", "redis",
                        "kombu", "pydantic-settings", "python-multipart")
SERVER_MODULES = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "celery", "redis", "kombu",
                  "pydantic_settings", "multipart", "python_multipart")


def test_the_engine_imports_without_the_server_packages():
    code = f"""
        import importlib, sys

        BLOCKED = set({SERVER_MODULES!r})

        class Refuse:
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] in BLOCKED:
                    raise ModuleNotFoundError(f"server package {{name}} is not installed here", name=name)
                return None

        sys.meta_path.insert(0, Refuse())
        import voxtell
        import voxtell.api as api
        light = [n for n in api.__all__ if n not in api._LAZY]
        for name in light:
            getattr(api, name)
        # the torch side of the engine too: its modules, the CLI and every lazy name
        import voxtell.inference.predictor
        import voxtell.cli.predict
        for name in api._LAZY:
            getattr(api, name)
        voxtell.VoxTellPredictor
        leaked = sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED)
        assert not leaked, leaked
        print("ok", len(light))
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.startswith("ok")


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _project() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    with PYPROJECT.open("rb") as f:
        return tomllib.load(f)["project"]


def test_no_server_package_is_a_core_dependency():
    core = {_name(r) for r in _project()["dependencies"]}
    assert not core & set(SERVER_DISTRIBUTIONS), sorted(core & set(SERVER_DISTRIBUTIONS))
    assert {"torch", "nibabel", "numpy"} <= core


def test_the_server_and_cluster_extras_carry_the_server_packages():
    extras = _project()["optional-dependencies"]
    server = {_name(r) for r in extras["server"]}
    assert {"fastapi", "uvicorn", "python-multipart", "pydantic", "pydantic-settings", "sqlalchemy", "alembic",
            "psycopg"} <= server
    cluster = [r.replace(" ", "") for r in extras["cluster"]]
    assert "voxtell-web[server]" in cluster
    assert "celery" in {_name(r) for r in cluster}
