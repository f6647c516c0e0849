"""The dashboard's colours that carry meaning, declared once (app.css agrees; a test checks)."""

from __future__ import annotations

# The tiles' status colours: app.css --ioc-good/--ioc-warn/--ioc-critical/--ioc-nodata.
STATUS_COLOURS = {
    "good": "#1a7f37",
    "warn": "#b76e00",
    "critical": "#c62828",
    "nodata": "#8c96a3",
}
# A single-hue sequential scale (ColorBrewer Blues, 5 classes) for metrics that are neither
# good nor bad: never red/green, which would read as a judgement.
SEQUENTIAL_BLUES = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
INK = "#1f2a37"  # app.css --ioc-ink: dark text on light fills
WHITE = "#ffffff"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour (0 black … 1 white)."""
    raw = colour.lstrip("#")
    r, g, b = (int(raw[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 … 21)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def label_colour(fill: str) -> str:
    """Dark ink on light fills, white on dark ones: whichever contrasts more with the fill."""
    return INK if contrast(fill, INK) >= contrast(fill, WHITE) else WHITE
