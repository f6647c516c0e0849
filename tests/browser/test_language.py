"""The language walk: every page (overview, ten domains, the feeds page, a wall) in Vietnamese
and in English shows no text of the other language; a 1920×1080 picture of each is saved."""

from __future__ import annotations

import re
import time
import unicodedata

import pytest

from dashboards.specs import PAGES
from tests.browser.conftest import APP_PORT, screenshot
from tests.browser.test_overview import wait_for
from tests.fixtures.auth import start_signed_in

pytestmark = pytest.mark.browser
WALK = [
    ("overview", "/"),
    *[(spec.domain.slug, f"/{spec.domain.slug}") for spec in PAGES],
    ("nguon-du-lieu", "/nguon-du-lieu"),
    ("wall", "/wall/default"),
]
# Tone and vowel marks of Vietnamese (NFD) and đ: an English page shows none of them.
VIETNAMESE_MARKS = {"\u0300", "\u0301", "\u0302", "\u0303", "\u0306", "\u0309", "\u0323", "\u031b"}
# English UI words that never belong in Vietnamese text (not "to" or "Thu": Vietnamese words),
# AG Grid's own texts among them.
ENGLISH_WORDS = re.compile(
    r"\b(No data|No Rows To Show|No Matching Rows|Loading|Page|of|First Page|Last Page|Filter"
    r"|Contains|Equals|Apply|Reset|Updated|updated|ago|Target|Baseline|Below|Above|Watch"
    r"|Critical|Normal|Stale|stale|minutes?|hours?|days?|Mon|Tue|Wed|Fri|Sat|Sun"
    r"|Jan|Feb|Aug|Sep|Oct|Nov|Dec|Search|Status|Overview|Alerts|Area|Details|Export)\b"
)
# Every visible text node and tooltip, except texts the source system wrote (agency and camera
# names, citizens' reports: `.ioc-source-text`); on the wall every slot of the rotation counts,
# shown or not.
COLLECT = """
const wall = document.querySelector('.wall-root');
const root = wall || document.body;
const found = [];
const skip = (el) => !el || el.closest('.ioc-source-text, script, style, noscript');
const shown = (el) => wall ? true : el.getClientRects().length > 0;
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const text = node.textContent.trim();
  const el = node.parentElement;
  if (text && !skip(el) && shown(el)) { found.push(text); }
}
root.querySelectorAll('[title], [placeholder], [aria-label]').forEach((el) => {
  if (skip(el)) { return; }
  for (const name of ['title', 'placeholder']) {
    const text = (el.getAttribute(name) || '').trim();
    if (text) { found.push(text); }
  }
});
return found;
"""
# AG Grid's filter menus of the first and the last column (text, number): their own texts too.
OPEN_FILTERS = """
const buttons = Array.from(
  document.querySelectorAll('.ag-header-cell .ag-header-cell-filter-button'));
const texts = [];
for (const button of [buttons[0], buttons[buttons.length - 1]]) {
  button.scrollIntoView({block: 'center'});
  button.click();
  const popup = document.querySelector('.ag-popup .ag-filter');
  if (!popup) { continue; }
  popup.querySelectorAll('*').forEach((el) => {
    for (const text of [el.children.length ? '' : el.textContent,
                        el.getAttribute('placeholder'), el.getAttribute('aria-label')]) {
      if (text && text.trim()) { texts.push(text.trim()); }
    }
  });
  document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));
}
return texts;
"""
FILTER_WORD = {"vi": "Chứa", "en": "Contains"}  # the text filter's first option
READY = """
return document.querySelectorAll('[data-dash-is-loading="true"]').length === 0
  && !!document.querySelector('.page-title, .wall-slot [data-kpi], .wall-slot .wall-alert');
"""


def test_the_walk_can_tell_the_languages_apart() -> None:
    assert other_language("Chưa đạt mục tiêu", "en") and other_language("Đ", "en")
    assert not other_language("Below target 90% by 3.1 pp · Chau Thanh District", "en")
    assert other_language("No Rows To Show", "vi") and other_language("1 to 20 of 54", "vi")
    assert not other_language("Thu ngân sách đến 14:05 · Trang 1 trên 3 · IOC · VssID", "vi")


def other_language(text: str, lang: str) -> bool:
    if lang == "en":
        letters = unicodedata.normalize("NFD", text.casefold())
        return "đ" in letters or any(mark in VIETNAMESE_MARKS for mark in letters)
    return ENGLISH_WORDS.search(text) is not None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_speaks_only_its_language(dash_duo, demo_app, lang: str) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1920, 1080)
    chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
    driver.set_window_size(1920, 1080 + chrome)  # the page itself gets 1920×1080
    driver.add_cookie({"name": "ioc_lang", "value": lang, "path": "/"})
    found: dict[str, list[str]] = {}
    for name, path in WALK:
        driver.get(f"{dash_duo.server_url}{path}")
        wait_for(lambda: driver.execute_script(READY), timeout=20)
        if path != "/wall/default":  # tiles, the table and the charts have their data
            if path == "/":
                wait_for(lambda: dash_duo.find_elements("[data-kpi] .kpi-value"))
            wait_for(
                lambda: (
                    dash_duo.find_elements(".ag-center-cols-container .ag-row")
                    or dash_duo.find_elements(".ag-overlay-no-rows-center")
                    or not dash_duo.find_elements(".ag-root-wrapper")
                )
            )
        time.sleep(0.8)  # let the charts finish drawing before the picture
        assert driver.find_element("css selector", "[data-testid=status-legend]")
        screenshot(driver, f"lang-{lang}-{name}")
        texts = driver.execute_script(COLLECT)
        if path == f"/{PAGES[0].domain.slug}":
            menus = driver.execute_script(OPEN_FILTERS)
            assert FILTER_WORD[lang] in menus, menus
            texts += menus
        wrong = sorted({s for s in texts if other_language(s, lang)})
        if wrong:
            found[path] = wrong
    assert found == {}, found
    assert dash_duo.get_logs() == []
