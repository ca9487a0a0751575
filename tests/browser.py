"""Headless Debian Chromium driven by Playwright, for the pages the queue server serves.

Tests use the `page` fixture; screenshots go to `test-artifacts/` (kept by CI, ignored by git).
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# Without the background-networking flags Chromium keeps dialling Google on a closed network.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    return found


@pytest.fixture
def browser() -> Iterator[Browser]:
    """One Chromium per test: Playwright's sync API keeps an asyncio loop running in the main
    thread while it is open, so a wider scope would break `asyncio.run` in every later test."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh 1920×1080 page (the hall TVs' size) in its own browser context."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
