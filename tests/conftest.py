import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser import browser, page  # noqa: F401  (fixtures)
from tests.support import LiveServer, live_server


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


DatabaseFactory = Callable[[], str]
"""Hands out the URL of a fresh, empty database on each call."""


@pytest.fixture(scope="session")
def new_database_url(tmp_path_factory: pytest.TempPathFactory) -> DatabaseFactory:
    """Fresh empty databases for tests that need one beyond their own `database_url` (a server
    shared by a module, a second database): SQLite files for now. A PostgreSQL fixture
    parametrises this (a new database per call); tests take their URLs from here or from
    `database_url` and never build a SQLite path themselves."""
    folder = tmp_path_factory.mktemp("databases")
    numbers = itertools.count(1)
    return lambda: f"sqlite:///{folder / f'db{next(numbers)}.db'}"


@pytest.fixture
def database_url(new_database_url: DatabaseFactory) -> str:
    """The URL of a fresh, empty database for one test."""
    return new_database_url()
