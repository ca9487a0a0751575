from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import browser, page  # noqa: F401  (fixtures)
from tests.support import LiveServer, live_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real queue server on a free port over a fresh SQLite file, default hall."""
    with live_server(tmp_path) as running:
        yield running
