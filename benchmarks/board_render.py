"""Call → web board: from sending `POST call-next` to the number drawn on `/board` in Chromium.

The page is the real hall board in Debian's headless Chromium (through Playwright); a
MutationObserver in the page notes the wall-clock time at which `#latest-number` shows each
number, so the measure includes the server, the websocket, the page's script and its DOM
update, not Playwright's polling. Each called ticket is then started and finished (not timed).
"""

import contextlib
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect, sync_playwright

from benchmarks.server import running_server, seed_database
from benchmarks.stats import Latency, percentile
from tests.browser import CHROMIUM_FLAGS, chromium_path
from tests.support import PASSWORD, Accounts

WINDOW_NO = 2
CATEGORY = "general"
WARMUP_CALLS = 2
SHOWN_TIMEOUT_MS = 10_000

OBSERVE = """() => {
  window.__shownAt = {};
  const target = document.getElementById("latest-number");
  new MutationObserver(() => {
    const number = target.textContent;
    if (!(number in window.__shownAt)) window.__shownAt[number] = Date.now();
  }).observe(target, {childList: true, characterData: true, subtree: true});
}"""


@dataclass(frozen=True, slots=True)
class BoardRenderResult:
    """Latencies from the call's request to the number on the web board, in milliseconds."""

    latency: Latency
    p95: float


@contextlib.contextmanager
def _clerk(base_url: str, clerk: str) -> Iterator[httpx.Client]:
    login = httpx.post(
        f"{base_url}/api/auth/login",
        json={"username": clerk, "password": PASSWORD},
        trust_env=False,
    )
    login.raise_for_status()
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    with httpx.Client(base_url=base_url, headers=headers, trust_env=False, timeout=30) as client:
        client.post(f"/api/windows/{WINDOW_NO}/sign-in").raise_for_status()
        yield client


def _one_call(page: Page, kiosk: httpx.Client, clerk: httpx.Client) -> float:
    kiosk.post("/api/tickets", json={"category": CATEGORY}).raise_for_status()
    sent_at = time.time()
    response = clerk.post(f"/api/windows/{WINDOW_NO}/call-next")
    response.raise_for_status()
    ticket = response.json()
    # Waiting runs no code in the page (its CSP forbids eval); the observer took the time.
    expect(page.locator("#latest-number")).to_have_text(ticket["number"], timeout=SHOWN_TIMEOUT_MS)
    shown_ms: float = page.evaluate("n => window.__shownAt[n]", ticket["number"])
    clerk.post(f"/api/tickets/{ticket['id']}/start").raise_for_status()
    clerk.post(f"/api/tickets/{ticket['id']}/finish").raise_for_status()
    return shown_ms / 1000 - sent_at


def measure_on_page(
    page: Page, base_url: str, accounts: Accounts, *, quick: bool
) -> BoardRenderResult:
    """Open the hall board in `page` and measure against a running server."""
    calls = 5 if quick else 50
    with (
        httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {accounts.kiosk_token}"},
            trust_env=False,
        ) as kiosk,
        _clerk(base_url, accounts.clerks[0]) as clerk,
    ):
        page.goto(f"{base_url}/board?token={accounts.board_token}")
        body = expect(page.locator("body"))
        body.to_have_attribute("data-seq", re.compile(r"^\d+$"), timeout=SHOWN_TIMEOUT_MS)
        page.evaluate(OBSERVE)
        samples = [_one_call(page, kiosk, clerk) for _ in range(WARMUP_CALLS + calls)]
    measured = samples[WARMUP_CALLS:]
    return BoardRenderResult(
        latency=Latency.of_seconds(measured),
        p95=percentile(sorted(value * 1000 for value in measured), 95),
    )


def run_against(base_url: str, accounts: Accounts, *, quick: bool) -> BoardRenderResult:
    """Launch Chromium, then measure against a running server whose accounts are `accounts`."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            return measure_on_page(page, base_url, accounts, quick=quick)
        finally:
            browser.close()


def run(*, quick: bool = False) -> BoardRenderResult:
    """Start a real `queue-server` on a fresh database, then measure."""
    with tempfile.TemporaryDirectory(prefix="yimen-bench-board-") as directory:
        seed = seed_database(Path(directory))
        with running_server(seed) as server:
            return run_against(server.base_url, server.accounts, quick=quick)


if __name__ == "__main__":
    print(run(quick=False))
