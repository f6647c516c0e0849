"""Numbers in a declared locale: vi (1.234,5), en (1,234.5) or strict; blanks are None, never 0."""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal
from typing import Any, Literal

from feeds.mapping.errors import ParseError, shown

Locale = Literal["vi", "en", "strict"]
LOCALES: tuple[Locale, ...] = ("vi", "en", "strict")

# What reports write for "no value": never read as zero.
NULL_TOKENS = frozenset({"", "-", "–", "—", "--", "..", "...", "…", "x", "X", "n/a", "N/A"})
_SWAP_SEPARATORS = str.maketrans(",.", ".,")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_SIGNED = r"(?P<sign>[+-])?"
_PATTERNS = {
    "vi": re.compile(_SIGNED + r"(?P<int>\d{1,3}(?:[. ]\d{3})+|\d+)(?:,(?P<frac>\d+))?"),
    "en": re.compile(_SIGNED + r"(?P<int>\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.(?P<frac>\d+))?"),
    "strict": re.compile(_SIGNED + r"(?P<int>\d+)(?:\.(?P<frac>\d+))?(?P<exp>[eE][+-]?\d+)?"),
}

# Plain ASCII-digit text with the locale's thousands separator and nothing else: read
# without the full pattern (same value as _from_text gives it; anything else goes there).
PLAIN_NUMBER = {
    "vi": re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,15}"),
    "en": re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,15}"),
    "strict": re.compile(r"[0-9]{1,15}"),
}
GROUP_SEPARATOR = {"vi": ".", "en": ",", "strict": ""}


def is_null(raw: Any) -> bool:
    """True for an absent value: None, NaN, or a blank token such as '-', '...', 'x'."""
    if type(raw) is str:  # the common case first: the mapping engine asks per field
        # text starting with a digit is a value: decided without the (text-keyed) cache
        return not raw[:1].isdigit() and is_null_text(raw)
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    if not isinstance(raw, str):
        return False
    return is_null_text(raw)


@functools.lru_cache(maxsize=65536)
def is_null_text(raw: str) -> bool:
    """is_null for text: empty, spaces only, or a blank token."""
    text = raw.strip()
    if not text:
        return True
    # no blank token starts with a digit: values ("1.234") are told apart without the regex
    return not text[0].isdigit() and len(text) <= 8 and _SPACES.sub("", text) in NULL_TOKENS


def parse_number(raw: Any, locale: Locale = "vi") -> float | None:
    """A finite float, or None for a blank; ParseError naming the text otherwise.

    JSON and Excel numbers pass through (bool is not a number). Text follows `locale` only:
    "1.234" is 1234 in vi and 1.234 in en. A trailing % is allowed and kept as the number
    (99,71% is 99.71); parentheses mean a negative, as accounting reports write it.
    """
    if type(raw) is str:  # the common case: text, usually plain grouped digits
        if not raw[:1].isdigit() and is_null_text(raw):
            return None
        if PLAIN_NUMBER[locale].fullmatch(raw) is not None:
            return float(raw.replace(GROUP_SEPARATOR[locale], ""))
        return _finite(_from_text(raw, locale), raw)
    if is_null(raw):
        return None
    if isinstance(raw, bool):
        raise ParseError(f"value {shown(raw)} is a boolean, not a number", raw)
    if isinstance(raw, int | float | Decimal):
        return _finite(float(raw), raw)
    if not isinstance(raw, str):
        raise ParseError(f"value {shown(raw)} is not a number", raw)
    return _finite(_from_text(raw, locale), raw)


def parse_count(raw: Any, locale: Locale = "vi") -> int | None:
    """A non-negative whole number ("12,0" in vi is 12), or None for a blank."""
    number = parse_number(raw, locale)
    return None if number is None else as_count(number, raw)


def as_count(number: float, raw: Any) -> int:
    """`number` as a count; ParseError when it is negative or has a fraction."""
    if number < 0:
        raise ParseError(f"count {shown(raw)} is negative", raw)
    if not float(number).is_integer():
        raise ParseError(f"count {shown(raw)} is not a whole number", raw)
    return int(number)


def _finite(number: float, raw: Any) -> float:
    if not math.isfinite(number):
        raise ParseError(f"value {shown(raw)} is not a finite number", raw)
    return number


@functools.lru_cache(maxsize=65536)
def _from_text(raw: str, locale: Locale) -> float:
    text = raw.strip().replace("\u2212", "-")
    negative = text.startswith("(") and text.endswith(")")
    text = text[1:-1].strip() if negative else text
    text = text.removesuffix("%").strip()
    if locale != "strict":  # spaces may group thousands; keep them as a single separator
        text = _SPACES.sub(" ", text)
    match = _PATTERNS[locale].fullmatch(text)
    if match is None or (negative and match["sign"]):
        raise ParseError(f"value {shown(raw)} is not a number (locale {locale})", raw)
    digits = re.sub(r"[., ]", "", match["int"])
    exponent = match.groupdict().get("exp") or ""
    canonical = f"{match['sign'] or ''}{digits}.{match['frac'] or '0'}{exponent}"
    try:
        number = float(canonical)
    except OverflowError:
        number = math.inf
    return -number if negative else number


def format_number(value: float, locale: Locale, decimals: int = 0, group: bool = True) -> str:
    """The text a report in `locale` writes for `value` (used by tests to round-trip)."""
    text = f"{abs(value):,.{decimals}f}" if group else f"{abs(value):.{decimals}f}"
    if locale == "vi":
        text = text.translate(_SWAP_SEPARATORS)
    elif locale == "strict":
        text = text.replace(",", "")
    return ("-" if value < 0 else "") + text
