from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import browser, close_chromium_unless_next_needs_it, page  # noqa: F401
from tests.support import LiveServer, live_server


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After the test's own fixtures are torn down (their pages closed)."""
    close_chromium_unless_next_needs_it(item, nextitem)


@pytest.fixture(autouse=True, scope="session")
def unlimited_kiosks() -> Iterator[None]:
    """Tests issue tickets far faster than a kiosk prints them: lift the kiosk issuing limit
    for every server they start (tests of the limit pass their own settings)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("YIMEN_KIOSK_ISSUE_SECONDS", "0")
        yield


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real queue server on a free port over a fresh SQLite file, default hall."""
    with live_server(tmp_path) as running:
        yield running
