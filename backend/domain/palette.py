"""The mask colour palette: golden-angle hues, so neighbours in a list never look alike.

The server owns it (new masks get their colour here, exports carry it); the formula is the one
the web app used before (``hue = (index * 137.508 + 10) % 360``, saturation 0.85, lightness
0.55, each channel rounded half up as JavaScript's ``Math.round``).
"""

from __future__ import annotations

import math


def mask_color(index: int) -> list[int]:
    """``[r, g, b]`` (0..255) of the mask with result index ``index``."""
    return hsl_to_rgb((index * 137.508 + 10) % 360, 0.85, 0.55)


def hsl_to_rgb(h: float, s: float, l: float) -> list[int]:  # noqa: E741 - the usual names
    """HSL (hue in degrees, saturation and lightness 0..1) -> ``[r, g, b]`` 0..255."""
    c = (1 - abs(2 * l - 1)) * s
    x = c * (1 - abs((h / 60) % 2 - 1))
    m = l - c / 2
    r, g, b = ((c, x, 0.0) if h < 60 else (x, c, 0.0) if h < 120 else (0.0, c, x) if h < 180
               else (0.0, x, c) if h < 240 else (x, 0.0, c) if h < 300 else (c, 0.0, x))
    return [math.floor((v + m) * 255 + 0.5) for v in (r, g, b)]


def parse_color(text: str) -> list[int]:
    """``"r,g,b"`` (three whole numbers 0..255) -> ``[r, g, b]``.

    Raises:
        ValueError: naming what is wrong.
    """
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"color must be three whole numbers 'r,g,b', got {text[:40]!r}")
    values = [int(p) for p in parts]
    if any(v > 255 for v in values):
        raise ValueError(f"color values must be 0..255, got {text[:40]!r}")
    return values
