"""Headless Debian Chromium driven by Playwright, for the pages the queue server serves.

Tests use the `page` fixture; screenshots go to `test-artifacts/` (kept by CI, ignored by git).
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

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


class Chromium:
    """One headless Chromium, launched when a test first asks for it (starting Playwright's
    driver and the browser takes a second or two, more on a loaded machine)."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def browser(self) -> Browser:
        if self._browser is None or not self._browser.is_connected():
            self.close()
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
            )
        return self._browser

    def close(self) -> None:
        """Close the browser and stop Playwright, which gives the main thread back its asyncio
        (Playwright's sync API keeps an event loop running there while it is open, so
        `asyncio.run` fails until then)."""
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        try:
            if browser is not None and browser.is_connected():
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()


CHROMIUM = pytest.StashKey[Chromium]()


def shared_chromium(config: pytest.Config) -> Chromium:
    """The session's one `Chromium`, kept in pytest's stash rather than in a global."""
    if CHROMIUM not in config.stash:
        config.stash[CHROMIUM] = Chromium()
    return config.stash[CHROMIUM]


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """Chromium for one test. Consecutive browser tests of a module share the browser process;
    every context a test opened is closed after it, so no page, cookie or storage outlives
    its test. `close_chromium_unless_next_needs_it` closes the browser after the last of a run
    of browser tests, before any other test (which may need `asyncio.run`) starts."""
    launched = shared_chromium(request.config).browser()
    try:
        yield launched
    finally:
        for context in launched.contexts:
            context.close()


def close_chromium_unless_next_needs_it(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After a test: keep the shared Chromium only for a next test of the same module that
    uses a browser. Module boundaries close it too, so no module-scoped fixture is set up
    while Playwright holds the main thread's event loop."""
    keep = (
        nextitem is not None
        and nextitem.parent is item.parent
        and "browser" in getattr(nextitem, "fixturenames", ())
    )
    if not keep and CHROMIUM in item.config.stash:
        item.config.stash[CHROMIUM].close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh 1920×1080 page (the hall TVs' size) in its own browser context."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    opened = context.new_page()
    yield opened
    context.close()


def artifacts() -> Path:
    """`test-artifacts/`, made on first use (a fresh clone has none)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def screenshot(page: Page, name: str) -> Path:
    path = artifacts() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


AXE_SCRIPT = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core (installed from the npm registry by `make test`) in the page as it is now;
    one readable line per violation of the given impacts, each with the offending selectors."""
    if not AXE_SCRIPT.exists():
        pytest.fail("axe-core is missing: `make test` installs it with npm into tests/axe/")
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Evaluated, not added as a <script>: a page's Content-Security-Policy would block that.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in impacts:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} — {targets}")
    return lines


_OVERFLOWING = """
() => {
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.offsetParent === null && style.position !== 'fixed') continue;
    if (el.dataset.marquee !== undefined) continue;
    const clipsX = ['hidden', 'clip'].includes(style.overflowX);
    const clipsY = ['hidden', 'clip'].includes(style.overflowY);
    if ((clipsX && el.scrollWidth > el.clientWidth + 1) ||
        (clipsY && el.scrollHeight > el.clientHeight + 1)) {
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                   (classes ? '.' + classes.split(/\\s+/).join('.') : '');
      found.push(`${name} (${el.scrollWidth}×${el.scrollHeight} ` +
                 `in ${el.clientWidth}×${el.clientHeight})`);
    }
  }
  return found;
}
"""


def clipped_elements(page: Page) -> list[str]:
    """Elements whose content is cut by their own `overflow: hidden` box (text cut through
    its glyphs, a last row half shown), described for an assertion message. A box meant to
    scroll its text through itself (a news ticker) carries a `data-marquee` attribute."""
    found: list[str] = page.evaluate(_OVERFLOWING)
    return found


def covering_elements(page: Page, *, share: float = 0.5) -> list[str]:
    """Visible elements other than the page's own containers that cover more than `share`
    of the viewport with an opaque background (the 'yellow sheet' a paused window made)."""
    found: list[str] = page.evaluate(
        """(share) => {
          const area = innerWidth * innerHeight;
          const found = [];
          for (const el of document.body.querySelectorAll('*')) {
            const style = getComputedStyle(el);
            if (style.display === 'none' || style.visibility === 'hidden') continue;
            if (el.dataset.fullscreen !== undefined) continue;
            const bg = style.backgroundColor;
            if (bg === 'transparent' || bg === 'rgba(0, 0, 0, 0)') continue;
            const parent = el.parentElement;
            const parentBg = parent ? getComputedStyle(parent).backgroundColor : '';
            if (bg === parentBg) continue;
            const r = el.getBoundingClientRect();
            const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
            const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
            if (w * h > share * area) {
              found.push(`${el.tagName.toLowerCase()}.${el.className} ${bg}`);
            }
          }
          return found;
        }""",
        share,
    )
    return found


def rendered_height_px(page: Page, selector: str) -> float:
    """The rendered glyph height (font size) of the first element matching `selector`."""
    size: float = page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)")
    return size


PHONE = ViewportSize(width=360, height=740)
"""The smallest phone the public pages are made for."""
PHONE_WAIT_MS = 15_000


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh 360 px touch phone page, Chinese and on Beijing time, in its own context."""
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True
    )
    context.set_default_timeout(PHONE_WAIT_MS)
    opened = context.new_page()
    yield opened
    context.close()


def fits_the_phone(page: Page, name: str, *, covering_share: float = 0.8) -> None:
    """Screenshot `name`, then: nothing wider than the phone, nothing cut off, no overlay
    covering more than `covering_share` of the screen, axe clean."""
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    assert clipped_elements(page) == [], name
    assert covering_elements(page, share=covering_share) == [], name
    assert axe_violations(page) == [], name
