from playwright.sync_api import Page

from tests.browser import screenshot
from tests.support import LiveServer


def test_chromium_reaches_the_server(server: LiveServer, page: Page) -> None:
    page.goto(f"{server.base_url}/api/health")
    assert '"status"' in page.content()
    assert screenshot(page, "harness-health").stat().st_size > 0
