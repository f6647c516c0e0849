"""Pages and callbacks that need more than viewing data (e.g. the feeds page: operators)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dash
from dash import Dash, html

from access.current import VisitorKind, current_visitor
from access.roles import Capability, may
from access.web.context import audit_denied, request_lang
from i18n import t

RESTRICTIONS_KEY = "ioc.restrictions"


@dataclass(slots=True)
class Restrictions:
    """Which page paths and which callbacks (by callback-map key) need which capability."""

    pages: dict[str, Capability] = field(default_factory=dict)
    # Pages with a path template ("/nguon-du-lieu/lich-su/<feed_id>"): one rule for every path.
    page_templates: dict[str, Capability] = field(default_factory=dict)
    callbacks: dict[str, Capability] = field(default_factory=dict)
    wall_callbacks: set[str] = field(default_factory=set)  # what a display session may call

    def page_rule(self, path: str) -> Capability | None:
        """The capability a page path needs: its own rule, else its template's."""
        if path in self.pages:
            return self.pages[path]
        for template, capability in self.page_templates.items():
            if _matches(template, path):
                return capability
        return None


_TEMPLATE_VARIABLE = re.compile(r"<[^>]+>")


def _matches(template: str, path: str) -> bool:
    """As Dash routes a path to a template: a variable takes any text, slashes included."""
    parts = _TEMPLATE_VARIABLE.split(template)
    pattern = ".*".join(re.escape(part) for part in parts)
    return re.fullmatch(pattern, path) is not None


def restrictions(app: Dash) -> Restrictions:
    found = app.server.extensions.get(RESTRICTIONS_KEY)
    if not isinstance(found, Restrictions):
        found = app.server.extensions.setdefault(RESTRICTIONS_KEY, Restrictions())
    return found


@contextmanager
def restricted(app: Dash, capability: Capability) -> Iterator[None]:
    """Every page and callback registered inside this block needs `capability`: the menu
    hides the page, its URL answers 403, its layout and callbacks refuse (all audited)."""
    # The page registry is global to the process: a page registered again (another app in
    # the same process) is a new entry object under the same key.
    pages_before = {key: id(page) for key, page in dash.page_registry.items()}
    callbacks_before = set(app.callback_map)
    yield
    rules = restrictions(app)
    for key, page in dash.page_registry.items():
        if pages_before.get(key) == id(page):
            continue
        rules.pages[page["path"]] = capability
        if page.get("path_template"):
            rules.page_templates[page["path_template"]] = capability
        page["layout"] = _guarded_layout(page["layout"], capability, page["path"])
    for key in set(app.callback_map) - callbacks_before:
        rules.callbacks[key] = capability


@contextmanager
def wall_callbacks(app: Dash) -> Iterator[None]:
    """The callbacks registered inside this block are the wall's: display sessions may call
    them (and no others)."""
    before = set(app.callback_map)
    yield
    restrictions(app).wall_callbacks.update(set(app.callback_map) - before)


def allowed(capability: Capability | None) -> bool:
    visitor = current_visitor()
    return capability is None or (visitor is not None and may(visitor, capability))


def visible_pages(app: Dash, pages: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The registered pages the current visitor may open (the menu shows only these)."""
    visitor = current_visitor()
    if visitor is None or visitor.kind is not VisitorKind.USER:
        return []  # a wall display session has no menu
    rules = restrictions(app).pages
    return [page for page in pages if allowed(rules.get(page["path"]))]


def _guarded_layout(layout: Any, capability: Capability, path: str) -> Callable[..., Any]:
    def guarded(**params: Any) -> Any:
        if not allowed(capability):
            audit_denied(path, {"needs": str(capability), "via": "page layout"})
            return forbidden_component(t("auth.forbidden", request_lang()))
        return layout(**params) if callable(layout) else layout

    return guarded


def forbidden_component(text: str) -> html.Div:
    return html.Div(text, className="alert alert-warning forbidden-notice", role="alert")
