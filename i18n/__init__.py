"""UI text in Vietnamese (authoritative) and English, from flat JSON catalogs."""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

from babel import Locale

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
CATALOG_DIR = Path(__file__).parent / "catalogs"

logger = logging.getLogger(__name__)


@functools.cache
def _catalog(lang: str) -> dict[str, str]:
    """The language's catalog (`vi.json` plus any `vi.<part>.json`), read once; an unknown
    language has an empty catalog."""
    if lang not in LANGUAGES:
        return {}
    merged: dict[str, str] = {}
    for path in [CATALOG_DIR / f"{lang}.json", *sorted(CATALOG_DIR.glob(f"{lang}.*.json"))]:
        with path.open(encoding="utf-8") as handle:
            merged.update(json.load(handle))
    return merged


def catalog_keys(lang: str) -> set[str]:
    """All keys of a language's catalog."""
    return set(_catalog(lang))


def has(key: str) -> bool:
    """Whether the authoritative (Vietnamese) catalog holds `key`."""
    return key in _catalog(DEFAULT_LANGUAGE)


@functools.cache
def _warn_missing(key: str) -> None:
    logger.warning("missing UI text %r", key)


def label(group: str, code: str, lang: str) -> str:
    """The name of a code a feed sent (a status, a kind), or the code itself if it has none."""
    key = f"{group}.{code}"
    return t(key, lang) if key in _catalog(DEFAULT_LANGUAGE) else code


@functools.cache
def _plural_locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def plural_form(count: float, lang: str) -> str:
    """The CLDR plural category of a count in the language: en "one" for 1, else "other"
    (Vietnamese nouns do not change: always "other")."""
    return str(_plural_locale(lang).plural_form(count))


def t(key: str, lang: str, **params: object) -> str:
    """Translate `key`: the language's text, else Vietnamese, else the key; then format params.
    With an integer `count`, the text `key.<plural form>` (e.g. `key.one`) wins where it exists:
    "1 overdue dossier", "2 overdue dossiers"."""
    count = params.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        form = f"{key}.{plural_form(count, lang)}"
        if form in _catalog(lang):
            key = form
    template = _catalog(lang).get(key) or _catalog(DEFAULT_LANGUAGE).get(key)
    if template is None:
        _warn_missing(key)
        return key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError) as exc:
        logger.warning("cannot format UI text %r (%s): %r", key, lang, exc)
        return template
