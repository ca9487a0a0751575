import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser import browser, close_chromium_unless_next_needs_it, page, phone  # noqa: F401
from tests.support import LiveServer, live_server

pytest_plugins = ["tests.postgres", "tests.booking_support"]
"""The PostgreSQL cluster, `database_url` and the `both_databases` marker; a hall on a
manual clock for booking (`booking_clock`, `booking_server`)."""


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After the test's own fixtures are torn down (their pages closed)."""
    close_chromium_unless_next_needs_it(item, nextitem)


@pytest.fixture(autouse=True, scope="session")
def unlimited_kiosks() -> Iterator[None]:
    """Tests issue tickets far faster than a kiosk prints them, and book faster than a person
    does: lift the kiosk issuing limit and the per-address booking limit for every server they
    start (tests of the limits pass their own settings)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("YIMEN_KIOSK_ISSUE_SECONDS", "0")
        patch.setenv("YIMEN_BOOKING_SECONDS", "0")
        yield


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[LiveServer]:
    """A real queue server on a free port over a fresh database (a SQLite file unless the
    test is marked `both_databases`), default hall."""
    with live_server(tmp_path, database_url=database_url) as running:
        yield running


DatabaseFactory = Callable[[], str]
"""Hands out the URL of a fresh, empty database on each call."""


@pytest.fixture(scope="session")
def new_database_url(tmp_path_factory: pytest.TempPathFactory) -> DatabaseFactory:
    """Fresh empty databases for tests that need one beyond their own `database_url` (a server
    shared by a module, a second database): SQLite files. The per-test `database_url`
    (tests/postgres.py) is the one that runs on both databases."""
    folder = tmp_path_factory.mktemp("databases")
    numbers = itertools.count(1)
    return lambda: f"sqlite:///{folder / f'db{next(numbers)}.db'}"
