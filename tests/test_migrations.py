"""The alembic migrations build exactly the schema the models describe, on SQLite and on
PostgreSQL, and a database from before halls migrates in place with its history."""

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, col, select
from websockets.sync.client import connect

from queue_server.city import CityConfig, load_city_config
from queue_server.config import DEFAULT_HALL_CONFIG, HallConfig, load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import Clock, ManualClock
from queue_server.models import Event
from queue_server.services.stats_rollups import roll_up
from tests.support import ZONE_DEVICE, Accounts, LiveServer, seed_accounts, threaded_server

pytestmark = pytest.mark.both_databases


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Unlike the shared fixture, a PostgreSQL database here starts empty: the migrations
    under test build it."""
    if getattr(request, "param", "sqlite") == "postgresql":
        url: str = request.getfixturevalue("empty_postgres_url")
        yield url
    else:
        yield f"sqlite:///{tmp_path / 'hall.db'}"


@contextlib.contextmanager
def live_server_at(
    database_url: str,
    *,
    hall: HallConfig | None = None,
    city: CityConfig | None = None,
    clock: Clock | None = None,
    accounts: Accounts | None = None,
) -> Iterator[LiveServer]:
    """A real server on `database_url`: with `accounts` already in it, or seeded ones."""
    accounts = accounts or seed_accounts(database_url, hall or load_hall_config())
    with threaded_server(database_url, hall=hall, city=city, clock=clock) as (host, port):
        running = LiveServer(f"http://{host}:{port}", f"ws://{host}:{port}", database_url, accounts)
        try:
            yield running
        finally:
            running.close_clients()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    db.migrate()
    with db.write_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    db.dispose()


def test_migrating_twice_keeps_the_data(database_url: str) -> None:
    seed_accounts(database_url, load_hall_config())
    db = Database(database_url)
    db.migrate()
    with db.read_session() as session:
        assert (
            session.connection().exec_driver_sql("SELECT count(*) FROM user_account").scalar() == 10
        )
    db.dispose()


# In place, from the schema before halls (0005), with a hall's data in it.

OLD = "0005"
HALL_CODE = "dongsheng"
HALL_TABLES = (
    "ticket",
    "event",
    "evaluation",
    "service_case",
    "window_state",
    "number_counter",
    "device",
    "stats_rollup",
)
"""Every table whose rows belong to exactly one hall."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("queue_server") / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def _insert(
    connection: sa.Connection, table: sa.Table, columns: list[str], rows: list[Any]
) -> None:
    """Insert through the old schema's reflected column types, so booleans, times and JSON
    arrive as the target database keeps them."""
    if rows:
        connection.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])


def copy_into_old_schema(source_url: str, target_url: str) -> dict[str, int]:
    """Copy a hall's rows, as the server wrote them, into a database at revision 0005 through
    plain SQL: every column 0005 had, in foreign-key order. Returns the rows per table."""
    source, target = sa.create_engine(source_url), sa.create_engine(target_url)
    copied: dict[str, int] = {}
    try:
        old = sa.MetaData()
        old.reflect(target)
        with source.connect() as reader, target.begin() as writer:
            current = sa.inspect(reader)
            for table in old.sorted_tables:
                if table.name == "alembic_version":
                    continue
                if table.name == "hall_lock":
                    _insert(writer, table, ["id"], [(1,)])
                    continue
                have = {column["name"] for column in current.get_columns(table.name)}
                columns = [column.name for column in table.columns if column.name in have]
                written = sa.Table(table.name, sa.MetaData(), autoload_with=reader)
                rows = list(reader.execute(sa.select(*(written.c[name] for name in columns))))
                _insert(writer, table, columns, rows)
                copied[table.name] = len(rows)
            if target.dialect.name == "postgresql":
                # Rows copied with their ids leave the sequences behind; 0005 had them in step.
                for table in old.sorted_tables:
                    key = list(table.primary_key.columns)
                    if len(key) == 1 and isinstance(key[0].type, sa.Integer):
                        name = key[0].name
                        writer.execute(
                            sa.text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{name}'), "
                                f"(SELECT max({name}) FROM {table.name}))"
                            )
                        )
    finally:
        source.dispose()
        target.dispose()
    return copied


@dataclass
class OldHall:
    """A hall's history as the server before halls kept it."""

    database_url: str
    accounts: Accounts
    old_day: date
    old_stats: dict[str, Any]
    events: list[tuple[int, str]]
    """(seq, type) of every event."""
    today_numbers: list[str]
    rows: dict[str, int]


def _history(server: LiveServer, clock: ManualClock, old_day: date) -> None:
    """Three days ago: tickets served, transferred, rated; a case with its log; a kiosk's
    heartbeat. Today: three tickets waiting and a clerk at window 2."""
    kiosk = server.client(server.accounts.kiosk_token)
    clerk = server.client(server.accounts.clerk_tokens[server.accounts.clerks[0]])
    served = [kiosk.post("/api/tickets", json={"category": "general"}).json() for _ in range(3)]
    kiosk.post("/api/tickets", json={"category": "consult"})
    assert kiosk.post("/api/devices/kiosk-1/heartbeat", json={"kind": "kiosk", "state": "ok"})
    assert clerk.post("/api/windows/2/sign-in").status_code == 200
    first = clerk.post("/api/windows/2/call-next").json()
    assert first["id"] == served[0]["id"]
    clock.advance(timedelta(minutes=4))
    assert clerk.post(f"/api/tickets/{first['id']}/start").status_code == 200
    clock.advance(timedelta(minutes=6))
    assert clerk.post(f"/api/tickets/{first['id']}/finish", json={}).status_code == 200
    rated = httpx.post(
        f"{server.base_url}/api/public/tickets/{first['public_code']}/evaluation", json={"level": 5}
    )
    assert rated.status_code == 201, rated.text
    second = clerk.post("/api/windows/2/call-next").json()
    moved = clerk.post(
        f"/api/tickets/{second['id']}/transfer",
        json={"to_category": "unresolved", "reason": "材料不全"},
    )
    assert moved.status_code == 200, moved.text
    manager = server.client(server.login(server.accounts.manager))
    case = manager.post("/api/cases", json={"summary": "户籍信息不一致，无法办理"}).json()
    logged = manager.post(f"/api/cases/{case['id']}/actions", json={"note": "已联系户政科"})
    assert logged.status_code == 200, logged.text
    assert clerk.post("/api/windows/2/sign-out").status_code == 200
    clock.set(datetime.now(UTC))
    assert clerk.post("/api/windows/2/sign-in").status_code == 200
    for _ in range(3):
        assert kiosk.post("/api/tickets", json={"category": "general"}).status_code == 201


@pytest.fixture
def old_hall(new_database_url: Callable[[], str], database_url: str) -> OldHall:
    """The test's database at revision 0005 holding one hall's realistic history, made by
    running the server (on a SQLite database of its own) and copying its rows into the old
    schema."""
    hall = load_hall_config()
    zone = ZoneInfo(hall.hall.timezone)
    old_day = datetime.now(zone).date() - timedelta(days=3)
    clock = ManualClock(datetime.combine(old_day, time(10), zone))
    source_url = new_database_url()
    with live_server_at(source_url, hall=hall, clock=clock) as server:
        _history(server, clock, old_day)
        manager = server.client(server.login(server.accounts.manager))
        query = {"from": str(old_day), "to": str(old_day), "group_by": "category"}
        answer = manager.get("/api/stats", params=query)
        assert answer.status_code == 200, answer.text
        old_stats = answer.json()
        today = manager.get("/api/tickets").json()
    db = Database(source_url)
    with db.write_session("main") as session:
        roll_up(session, hall=hall, day=old_day, now=clock.now())
    events = db.read_sync(
        lambda session: [
            (row.seq or 0, row.type.value)
            for row in session.exec(select(Event).order_by(col(Event.seq)))
        ]
    )
    db.dispose()
    target_url = database_url
    command.upgrade(alembic_config(target_url), OLD)
    rows = copy_into_old_schema(source_url, target_url)
    rolled_up = f"SELECT count(*) FROM stats_rollup WHERE service_day = '{old_day}'"
    rows["stats_rollup"] = _column(target_url, rolled_up)[0]
    return OldHall(
        target_url,
        server.accounts,
        old_day,
        old_stats,
        events,
        sorted(t["number"] for t in today),
        rows,
    )


def hall_file(folder: Path, code: str) -> Path:
    """The default hall's TOML with `[hall] code` set."""
    text = files("queue_server").joinpath(DEFAULT_HALL_CONFIG).read_text(encoding="utf-8")
    path = folder / f"{code}.toml"
    path.write_text(text.replace("[hall]\n", f'[hall]\ncode = "{code}"\n', 1), encoding="utf-8")
    return path


def _column(url: str, sql: str) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(sa.text(sql))]
    finally:
        engine.dispose()


def test_a_hall_database_from_before_halls_migrates_in_place(
    old_hall: OldHall, tmp_path: Path
) -> None:
    """The server started on the old database with a hall file of code `dongsheng`: every row
    lands under `dongsheng`, the clerk and devices are bound to it, the manager stays
    city-wide, the stream resumes, numbering continues, and the old day's figures answer."""
    assert all(old_hall.rows[table] for table in HALL_TABLES), old_hall.rows
    assert old_hall.rows["api_token"] and old_hall.rows["user_account"]
    hall = load_hall_config(hall_file(tmp_path, HALL_CODE))
    accounts = old_hall.accounts
    url = old_hall.database_url
    with live_server_at(url, hall=hall, accounts=accounts) as server:
        for table in HALL_TABLES:
            assert _column(url, f"SELECT DISTINCT hall FROM {table}") == [HALL_CODE], table
            # The running server may roll up further finished (empty) days meanwhile.
            only_old = (
                f" WHERE service_day = '{old_hall.old_day}'" if table == "stats_rollup" else ""
            )
            counted = _column(url, f"SELECT count(*) FROM {table}{only_old}")
            assert counted == [old_hall.rows[table]], table
        assert _column(url, "SELECT code FROM hall") == [HALL_CODE]
        bound = dict(
            row.split(":")
            for row in _column(url, "SELECT name || ':' || coalesce(hall, '-') FROM user_account")
        )
        assert bound[accounts.clerks[0]] == HALL_CODE
        assert bound[accounts.manager] == bound[accounts.admin] == "-"
        token_halls = dict(
            row.split(":")
            for row in _column(
                url, "SELECT name || ':' || coalesce(hall, '-') FROM api_token WHERE device"
            )
        )
        seeded = ("kiosk-1", "board-1", "evaluator-1", ZONE_DEVICE)
        assert token_halls == dict.fromkeys(seeded, HALL_CODE)

        old_seqs = [seq for seq, _ in old_hall.events]
        since = old_seqs[len(old_seqs) // 2]
        with connect(f"{server.ws_url}/ws?token={accounts.board_token}&since={since}") as ws:
            resumed = [json.loads(ws.recv(timeout=5)) for seq in old_seqs if seq > since]
            assert [(e["seq"], e["type"]) for e in resumed] == [
                event for event in old_hall.events if event[0] > since
            ]
            kiosk = server.client(accounts.kiosk_token)
            ticket = kiosk.post("/api/tickets", json={"category": "general"})
            assert ticket.status_code == 201, ticket.text
            live = json.loads(ws.recv(timeout=5))
        assert (live["type"], live["seq"]) == ("ticket.issued", old_seqs[-1] + 1)
        assert old_hall.today_numbers == ["B001", "B002", "B003"]
        assert ticket.json()["number"] == "B004"

        clerk = server.client(accounts.clerk_tokens[accounts.clerks[0]])
        assert clerk.get("/api/auth/me").json()["window_no"] == 2
        called = clerk.post("/api/windows/2/call-next")
        assert (called.status_code, called.json()["number"]) == (200, "B001")
        manager = server.client(server.login(accounts.manager))
        query = {
            "from": str(old_hall.old_day),
            "to": str(old_hall.old_day),
            "group_by": "category",
        }
        answer = manager.get("/api/stats", params=query)
        assert answer.status_code == 200, answer.text
        stats = answer.json()
        for report in (stats, old_hall.old_stats):
            report.pop("generated_at")
        assert stats == old_hall.old_stats
        assert stats["total"]["issued"] == 4


def test_a_migrated_hall_joins_a_city_with_its_people_and_devices(
    old_hall: OldHall, tmp_path: Path
) -> None:
    """The migrated hall in a city of two: its clerk and kiosk act there without naming it,
    the old manager is city-wide (must name a hall), and the new hall starts empty."""
    hall_file(tmp_path, HALL_CODE)
    hall_file(tmp_path, "kangbashi")
    city_path = tmp_path / "city.toml"
    city_path.write_text(
        '[city]\nname = "鄂尔多斯市"\n\n'
        '[[halls]]\ncode = "dongsheng"\nconfig = "dongsheng.toml"\n\n'
        '[[halls]]\ncode = "kangbashi"\nconfig = "kangbashi.toml"\n',
        encoding="utf-8",
    )
    city = load_city_config(city_path)
    accounts = old_hall.accounts
    with live_server_at(old_hall.database_url, city=city, accounts=accounts) as server:
        kiosk = server.client(accounts.kiosk_token)
        assert kiosk.post("/api/tickets", json={"category": "general"}).json()["number"] == "B004"
        manager = server.client(server.login(accounts.manager))
        refused = manager.get("/api/tickets")
        assert (refused.status_code, refused.json()["code"]) == (422, "hall_required")
        here = manager.get("/api/tickets", params={"hall": HALL_CODE}).json()
        assert [t["number"] for t in here] == ["B001", "B002", "B003", "B004"]
        assert manager.get("/api/tickets", params={"hall": "kangbashi"}).json() == []
        clerk = server.client(accounts.clerk_tokens[accounts.clerks[0]])
        assert clerk.get("/api/tickets").status_code == 200
        wrong = clerk.get("/api/tickets", params={"hall": "kangbashi"})
        assert (wrong.status_code, wrong.json()["code"]) == (403, "wrong_hall")
