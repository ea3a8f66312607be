"""VoxTell Web server: FastAPI app over the ``voxtell`` engine (no array maths here).

``create_app`` and ``Settings`` are imported on first use, so that ``voxtell-web worker`` (and
anything else importing a ``backend`` module) does not load the web framework and every router.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Settings", "create_app"]

if TYPE_CHECKING:
    from backend.app import create_app
    from backend.settings import Settings
else:

    def __getattr__(name: str) -> Any:
        if name == "create_app":
            from backend.app import create_app

            return create_app
        if name == "Settings":
            from backend.settings import Settings

            return Settings
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
