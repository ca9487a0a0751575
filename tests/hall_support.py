"""Test support for a city: accounts bound to each hall and city-wide, and a real server for it.

A minimal helper of the hall-matrix tests; the `city-api` branch may bring a fuller one.
"""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlmodel import Session

from queue_server.app import prepare_database
from queue_server.city import CityConfig, example_city_path, load_city_config
from queue_server.db import Database
from queue_server.domain.clock import Clock, SystemClock
from queue_server.domain.enums import Role
from queue_server.models import User
from queue_server.services.accounts import issue_device_token, open_login
from tests.support import KIOSK_DEVICES, ZONE_DEVICE, ZONE_LOCKER, _password_hash, threaded_server

HALL_BOUND = ("admin", "board", "clerk", "device", "evaluator", "kiosk", "manager")
"""Every role a hall-bound caller may hold (clerks and devices always are)."""
CITY_WIDE = ("admin", "manager")
EVALUATED_WINDOW = 3


def example_city() -> CityConfig:
    """The shipped example city: `main` (12 windows), `kangbashi` and `ejinhoro` (6 each)."""
    return load_city_config(example_city_path())


@dataclass
class HallAccounts:
    """Tokens of one hall's callers: one per role, and a login token per clerk."""

    code: str
    tokens: dict[str, str] = field(default_factory=dict)
    clerks: list[str] = field(default_factory=list)


@dataclass
class CityAccounts:
    halls: dict[str, HallAccounts]
    city_wide: dict[str, str]
    """Login tokens of the city-wide manager and admin."""


def seed_city(database_url: str, city: CityConfig, *, clerks: int = 2) -> CityAccounts:
    """In every hall: a hall-bound admin, manager and `clerks` clerks (logged in), a kiosk,
    board, evaluator and zone device (`locker-1`) token; and a city-wide manager and admin."""
    db = Database(database_url)
    prepare_database(db, city)
    now = SystemClock().now()
    accounts = CityAccounts(halls={}, city_wide={})

    def login(session: Session, name: str, role: Role, hall: str | None) -> str:
        user = User(
            name=name,
            role=role,
            password_hash=_password_hash(),
            display_name=name,
            created_at=now,
            hall=hall,
        )
        session.add(user)
        session.flush()
        token, _ = open_login(session=session, user=user, now=now, ttl=timedelta(hours=12))
        return token

    try:
        with db.write_session() as session:
            for role in CITY_WIDE:
                accounts.city_wide[role] = login(session, f"city-{role}", Role(role), None)
            for code in city.codes:
                hall = HallAccounts(code)
                for role in (Role.ADMIN, Role.MANAGER):
                    hall.tokens[role] = login(session, f"{code}-{role}", role, code)
                hall.clerks = [
                    login(session, f"{code}-clerk{i}", Role.CLERK, code)
                    for i in range(1, clerks + 1)
                ]
                hall.tokens["clerk"] = hall.clerks[0]
                hall.tokens["kiosk"] = issue_device_token(
                    session=session,
                    name="kiosk-1",
                    role=Role.KIOSK,
                    now=now,
                    devices=KIOSK_DEVICES,
                    hall=code,
                )
                hall.tokens["board"] = issue_device_token(
                    session=session, name="board-1", role=Role.BOARD, now=now, hall=code
                )
                hall.tokens["evaluator"] = issue_device_token(
                    session=session,
                    name="evaluator-1",
                    role=Role.EVALUATOR,
                    now=now,
                    window_no=EVALUATED_WINDOW,
                    hall=code,
                )
                hall.tokens["device"] = issue_device_token(
                    session=session,
                    name=ZONE_DEVICE,
                    role=Role.DEVICE,
                    now=now,
                    hall=code,
                    devices=[ZONE_LOCKER],
                )
                accounts.halls[code] = hall
    finally:
        db.dispose()
    return accounts


@dataclass
class CityServer:
    base_url: str
    ws_url: str
    database_url: str
    city: CityConfig
    accounts: CityAccounts
    open_clients: list[httpx.Client] = field(default_factory=list)

    def client(self, token: str | None = None, *, hall: str | None = None) -> httpx.Client:
        """An HTTP client; `hall` adds `?hall=` to every request. Closed with the server."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        params = {"hall": hall} if hall is not None else {}
        client = httpx.Client(base_url=self.base_url, headers=headers, params=params, timeout=10)
        self.open_clients.append(client)
        return client

    def token(self, hall: str | None, role: str) -> str:
        """The token of `role` bound to `hall`, or the city-wide one for None."""
        if hall is None:
            return self.accounts.city_wide[role]
        return self.accounts.halls[hall].tokens[role]

    def seq(self) -> int:
        """The city's newest event seq."""
        with httpx.Client(base_url=self.base_url) as client:
            seq: int = client.get("/api/health").json()["seq"]
            return seq


@contextlib.contextmanager
def city_server(
    database_url: str,
    city: CityConfig | None = None,
    *,
    clock: Clock | None = None,
    clerks: int = 2,
    **settings: object,
) -> Iterator[CityServer]:
    """A real server for `city` (the example city by default) with `seed_city`'s accounts."""
    city = city or example_city()
    accounts = seed_city(database_url, city, clerks=clerks)
    with threaded_server(
        database_url, hall=None, city=city, clock=clock, port=None, **settings
    ) as (host, port):
        running = CityServer(
            f"http://{host}:{port}", f"ws://{host}:{port}", database_url, city, accounts
        )
        try:
            yield running
        finally:
            for client in running.open_clients:
                client.close()
