"""Test support for a city: a real server serving several halls, with accounts in each hall.

`live_city(tmp_path)` serves the shipped example city (`main`, `kangbashi`, `ejinhoro`) and
seeds, before the server starts:

- a city-wide admin (`admin`) and a city-wide manager (`manager`);
- per hall: a hall-bound manager (`<code>-manager`), clerks (`<code>-clerk1`, …) and one kiosk,
  board and evaluator token of that hall.

Every person logs in with `tests.support.PASSWORD`; `CityAccounts.token(name)` gives a login
token opened straight in the database (skipping the slow argon2 login over HTTP).
"""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx

from queue_server.app import prepare_database
from queue_server.city import CityConfig, example_city_path, load_city_config
from queue_server.db import Database
from queue_server.domain.clock import Clock, SystemClock
from queue_server.domain.enums import Role
from queue_server.models import User
from queue_server.services.accounts import issue_device_token, open_login
from tests.support import (
    BOARD_DEVICES,
    KIOSK_DEVICES,
    Accounts,
    LiveServer,
    _password_hash,
    threaded_server,
)

CITY_CLERKS = 2
"""Clerks seeded per hall."""
LOGIN_TTL = timedelta(hours=12)


@dataclass
class HallAccounts:
    """The accounts bound to one hall."""

    code: str
    manager: str
    """A manager bound to this hall."""
    clerks: list[str]
    kiosk_token: str = ""
    board_token: str = ""
    evaluator_token: str = ""


@dataclass
class CityAccounts:
    """Every seeded account of a city; login tokens by name for every person."""

    admin: str = "admin"
    """City-wide."""
    manager: str = "manager"
    """City-wide."""
    halls: dict[str, HallAccounts] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, name: str) -> str:
        """The login token of a seeded person (admin, manager, a hall's manager or clerk)."""
        return self.tokens[name]

    def hall(self, code: str) -> HallAccounts:
        return self.halls[code]

    def as_hall_accounts(self, code: str) -> Accounts:
        """The single-hall `Accounts` view of one hall (city-wide admin and manager), for
        code written against `tests.support.live_server`."""
        hall = self.halls[code]
        return Accounts(
            admin=self.admin,
            manager=self.manager,
            clerks=list(hall.clerks),
            kiosk_token=hall.kiosk_token,
            board_token=hall.board_token,
            evaluator_token=hall.evaluator_token,
            clerk_tokens={name: self.tokens[name] for name in hall.clerks},
        )


def example_city() -> CityConfig:
    """The example city shipped in the package (three halls)."""
    return load_city_config(example_city_path())


def example_city_of(folder: Path, *codes: str) -> CityConfig:
    """A city of some of the example city's halls (`codes`, the first being the default),
    written as `folder/city.toml`; the hall files stay the example's."""
    example = example_city()
    lines = [f'[city]\nname = "{example.name}"\n']
    for code in codes:
        config = example.entry(code).config_path
        assert config is not None, "every hall of the example city has its file"
        lines.append(f'[[halls]]\ncode = "{code}"\nconfig = "{config}"\n')
    city_file = folder / "city.toml"
    city_file.write_text("\n".join(lines), encoding="utf-8")
    return load_city_config(city_file)


def seed_city_accounts(
    database_url: str, city: CityConfig, *, clerks: int = CITY_CLERKS
) -> CityAccounts:
    """Migrate the database for `city` and seed its accounts (see the module docstring)."""
    db = Database(database_url)
    prepare_database(db, city)
    accounts = CityAccounts()
    now = SystemClock().now()
    try:
        with db.write_session() as session:

            def person(name: str, role: Role, display_name: str, hall: str | None) -> None:
                user = User(
                    name=name,
                    role=role,
                    password_hash=_password_hash(),
                    display_name=display_name,
                    created_at=now,
                    hall=hall,
                )
                session.add(user)
                session.flush()
                accounts.tokens[name], _ = open_login(
                    session=session, user=user, now=now, ttl=LOGIN_TTL
                )

            def device(code: str, name: str, role: Role, devices: tuple[str, ...] = ()) -> str:
                """A device token of hall `code`; its device names carry the hall's code."""
                return issue_device_token(
                    session=session,
                    name=f"{code}-{name}",
                    role=role,
                    now=now,
                    devices=tuple(f"{code}-{other}" for other in devices),
                    hall=code,
                )

            person(accounts.admin, Role.ADMIN, "管理员", None)
            person(accounts.manager, Role.MANAGER, "市级主任", None)
            for entry in city.halls:
                code = entry.code
                hall = HallAccounts(
                    code=code,
                    manager=f"{code}-manager",
                    clerks=[f"{code}-clerk{index}" for index in range(1, clerks + 1)],
                )
                person(hall.manager, Role.MANAGER, f"{code}主任", code)
                for index, name in enumerate(hall.clerks, start=1):
                    person(name, Role.CLERK, f"窗口员{index}", code)

                hall.kiosk_token = device(code, "kiosk-1", Role.KIOSK, KIOSK_DEVICES)
                hall.board_token = device(code, "board-1", Role.BOARD, BOARD_DEVICES)
                hall.evaluator_token = device(code, "evaluator-1", Role.EVALUATOR)
                accounts.halls[code] = hall
    finally:
        db.dispose()
    return accounts


@dataclass
class LiveCity(LiveServer):
    """A running server of a city; `accounts` is the default hall's single-hall view."""

    city: CityAccounts = field(default_factory=CityAccounts)
    config: CityConfig | None = None

    def as_(self, name: str) -> httpx.Client:
        """An HTTP client carrying the seeded login token of the person `name`."""
        return self.client(self.city.token(name))


@contextlib.contextmanager
def live_city(
    tmp_path: Path,
    *,
    city: CityConfig | None = None,
    clock: Clock | None = None,
    clerks: int = CITY_CLERKS,
    **settings: object,
) -> Iterator[LiveCity]:
    """A real server (uvicorn in a thread, SQLite in `tmp_path`) serving `city` (default: the
    shipped example city) with the accounts of `seed_city_accounts`."""
    city = city or example_city()
    database_url = f"sqlite:///{tmp_path / 'city.db'}"
    accounts = seed_city_accounts(database_url, city, clerks=clerks)
    server = threaded_server(database_url, city=city, hall=None, clock=clock, port=None, **settings)
    with server as (host, port):
        running = LiveCity(
            f"http://{host}:{port}",
            f"ws://{host}:{port}",
            database_url,
            accounts.as_hall_accounts(city.default_code),
            city=accounts,
            config=city,
        )
        try:
            yield running
        finally:
            running.close_clients()
