"""Playwright driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# (fixtures) are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # only when a browser is there

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    pg = context.new_page()
    # htmx binds the handlers of swapped-in content only when it settles (20 ms later); count the
    # settles so a test can wait for them instead of racing them on a loaded machine.
    pg.add_init_script(
        "window.__htmxSettled = 0;"
        "document.addEventListener('htmx:afterSettle', () => { window.__htmxSettled += 1; });"
    )
    pg.set_default_timeout(10_000)
    # `expect(...)` waits 5 s by default: as long as an action here, since make test runs the
    # PostgreSQL suite on the other core meanwhile (a passkey ceremony took longer than 5 s once).
    from playwright.sync_api import expect  # imported by browser tests only

    expect.set_options(timeout=10_000)
    yield pg
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS



@contextmanager
def htmx_settled(page: Any) -> Iterator[None]:
    """Wait, after the block, until htmx has settled a swap that the block started."""
    before = page.evaluate("window.__htmxSettled")
    yield
    page.wait_for_function("n => window.__htmxSettled > n", arg=before)


def htmx_ready(page: Any, selector: str) -> None:
    """Wait until htmx has bound its handlers to the element (it does so when the swap settles).

    A response may swap several fragments (out-of-band ones too) and each settles on its own, so
    counting settles is not enough for a control inside one of them: ask the control itself.
    """
    page.wait_for_function(
        "s => { const e = document.querySelector(s); return !!(e && e['htmx-internal-data']"
        " && e['htmx-internal-data'].initHash); }",
        arg=selector,
    )
