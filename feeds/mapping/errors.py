"""The one error a mapping parser raises: it names the text it could not read."""

from __future__ import annotations

from typing import Any

TEXT_LIMIT = 60


def shown(raw: Any, limit: int = TEXT_LIMIT) -> str:
    """The input as quoted in an error: repr-like, single line, truncated."""
    text = raw if isinstance(raw, str) else repr(raw)
    text = " ".join(text.split()) if isinstance(raw, str) else text
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'" if isinstance(raw, str) else text


class ParseError(ValueError):
    """A value that cannot be read as declared; the message is a rejection reason."""

    def __init__(self, message: str, raw: Any = None) -> None:
        super().__init__(message)
        self.raw = raw
