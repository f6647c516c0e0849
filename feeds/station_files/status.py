"""The device status codes of Circular 10/2021/TT-BTNMT, and the station state they make."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

MEASURING: Final = "00"
CALIBRATING: Final = "01"
DEVICE_ERROR: Final = "02"

# Station states (asset statuses) from the codes of its newest file, most serious first.
STATE_DEVICE_ERROR: Final = "device_error"
STATE_CALIBRATING: Final = "calibrating"
STATE_ABNORMAL: Final = "abnormal_status"  # a code the circular does not define
STATE_CLOCK_FAULT: Final = "clock_fault"  # every line dated in the future
STATE_OK: Final = "ok"
STATE_NO_VALID_DATA: Final = "no_valid_data"  # measuring, yet nothing passed the checks


def normalized_code(status: str) -> str:
    """A status field as a two-digit code ("0" → "00"); other text is returned stripped."""
    text = status.strip()
    return text.zfill(2) if text.isdigit() and len(text) == 1 else text


def rejection_reason(code: str) -> str | None:
    """Why a line with this status is not stored, or None for a valid measurement."""
    if code == MEASURING:
        return None
    if code == CALIBRATING:
        return "status 01: the analyser is calibrating; not stored"
    if code == DEVICE_ERROR:
        return "status 02: device error; not stored"
    if not code:
        return "no device status: not stored"
    return f"status {code!r} is not a valid measurement (only 00 is); not stored"


def station_state(codes: Mapping[str, int], stored: int, future: int) -> str:
    """The station's current state from its newest file: the counts of each status code,
    how many lines were stored, and how many were dated in the future."""
    if codes.get(DEVICE_ERROR):
        return STATE_DEVICE_ERROR
    if codes.get(CALIBRATING):
        return STATE_CALIBRATING
    if any(n for code, n in codes.items() if code != MEASURING):
        return STATE_ABNORMAL
    if future and not stored:
        return STATE_CLOCK_FAULT
    return STATE_OK if stored else STATE_NO_VALID_DATA
