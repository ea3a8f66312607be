"""VoxTell Web server: FastAPI app over the ``voxtell`` engine (no array maths here)."""

from backend.app import create_app
from backend.settings import Settings

__all__ = ["Settings", "create_app"]
