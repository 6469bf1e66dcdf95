"""Fixtures for tests in a real headless Chromium (see tests/support/browser.py).

- `browser`: one Chromium for the session (Debian's /usr/bin/chromium through Playwright).
- `page`: a new page in its own browser context (no cookies shared between tests), desktop
  sized (1280 x 800).
- `axe_check(page)`: runs axe-core; fails on serious or critical violations.
- `screenshot(page, name)`: saves NAME-phone.png (390 px) and NAME-desktop.png (1280 px)
  under test-output/screenshots/ (printed at the end of the run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import browser as support

_saved: list[Path] = []


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = support.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport=support.DESKTOP)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def axe_check() -> Callable[..., list[dict]]:
    return support.axe_check


@pytest.fixture
def screenshot() -> Callable[[object, str], dict[str, Path]]:
    def take(page, name: str) -> dict[str, Path]:
        saved = support.take_screenshots(page, name)
        _saved.extend(saved.values())
        return saved

    return take


def pytest_terminal_summary(terminalreporter) -> None:
    if _saved:
        terminalreporter.write_sep("-", f"screenshots in {support.OUTPUT_DIR}")
        for path in _saved:
            terminalreporter.write_line(str(path))
