"""Members of each dimension that are not assets; their names are i18n keys `dim.<dim>.<member>`.

Assets name their own members (agency, portal, station), so those dimensions are not listed.
"""

from __future__ import annotations

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "level": ("province", "district", "commune"),
    "sector": ("agriculture", "industry", "services", "taxes", "total"),
    "category": (
        "lighting",
        "waste",
        "roads",
        "urban_order",
        "public_services",
        "flooding",
        "water",
        "noise",
        "power",
        "security",
        "trees",
        "pollution",
    ),
    "channel": ("hotline", "zalo", "portal", "direct"),
}
