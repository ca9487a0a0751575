"""`make demo`: a hall on SQLite, worked by the live simulator in real time, shown on a board.

Starts, each as its own process: the queue server on a fresh SQLite file with the default
hall; the live simulator (a kiosk bot and clerk bots, one window left for a real clerk); the
voice announcer (speakers when there are any, WAV files in the demo folder otherwise); and in
the foreground, after Enter, the terminal hall board (or, where that is not available or the
output is not a terminal, a plain list of the calls). Ctrl+C stops everything the demo started.

The people's logins are written to `logins.txt` in the demo folder (owner-only, 0600) and used
again on the next run; the bots' shared password reaches the simulator through its
environment only. The day runs in real time by default, so arrivals, queues and waits look
like a real morning; a crowd that waited at the door is there at opening. The user's own
ticket is in a category that only the real clerk's window serves: the demo runs the server on
a copy of the hall (written to `config/` in the demo folder, `demo_hall`) in which no other
window helps with that category, so no bot ever calls it.

`--headless --day-seconds N` runs one short day without the board and exits 0 when the hall
worked end to end (every ticket but the user's ended, the user's still waits, the simulator
saw no error, the announcer spoke).

`--city` runs the example city shipped in the package (three halls, one server on one SQLite
file) with a simulator in every hall at once: its clerk bots, kiosk and board belong to their
hall; the people's manager and admin are city-wide; the real clerk's window and the user's
own ticket are in the first hall, and the announcer speaks for that hall. What the two
differ in is `Variant`; everything else runs the same loop over the halls.
"""

import asyncio
import contextlib
import datetime as dt
import importlib.util
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import httpx
import typer

from queue_server.app import prepare_database
from queue_server.city import (
    CityConfig,
    CityHall,
    city_of_one,
    example_city_path,
    load_city_config,
)
from queue_server.client import QueueClient, QueueError
from queue_server.config import HallConfig, load_hall_config
from queue_server.db import Database
from queue_server.demo_hall import FOLDER as CONFIG_FOLDER
from queue_server.demo_hall import reserved_category, write_demo_config
from queue_server.demo_zone import EMPTY_PRINTER, zone_problems
from queue_server.demo_zone import TOKEN_ENV as ZONE_TOKEN_ENV
from queue_server.domain.clock import SystemClock
from queue_server.domain.cross_region import CrossRegionMode, Delivery, ForwardChannel
from queue_server.domain.enums import Role
from queue_server.models import User
from queue_server.protocol import EventMessage, EventType, TicketStatus
from queue_server.security import hash_password
from queue_server.services.accounts import create_user, issue_device_token
from queue_server.simulation.profile import Profile, load_profile

PEOPLE = (
    ("admin", "admin", Role.ADMIN, "管理员", None),
    ("manager", "manager", Role.MANAGER, "赵主任", None),
    ("clerk", "clerk1", Role.CLERK, "王芳", "0301"),
)
"""(role shown, login name, role, display name, staff number) of the accounts for people."""
HUMAN_CLERK = "clerk1"
HUMAN_WINDOW = 9
"""The window the bots leave to a real clerk at `clerk-tui`. In the default hall it alone has
跨域通办 as its own category; the demo's copy of the hall (`demo_hall`) lets no other window
help with it either, so no bot ever calls the user's own ticket there."""
BOT_NAMES = ["李强", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴昊", "徐丽", "孙涛"]
LOGINS_FILE = "logins.txt"
DEFAULT_SPEED = 1.0
"""Real time: arrivals per hour, queue lengths and ETAs then look like a real hall's."""
OPENING_CROWD = 8
"""Applicants already at the door at opening, so the first minute has calls to show."""
STARTUP_SECONDS = 60.0
CLIENT_TIMEOUT_SECONDS = 60.0
FINAL = {TicketStatus.DONE, TicketStatus.TRANSFERRED, TicketStatus.CANCELLED, TicketStatus.NO_SHOW}
SERVER_ENV = {
    # The simulated kiosk issues a whole compressed day: faster than one real kiosk may.
    "YIMEN_KIOSK_ISSUE_SECONDS": "0",
    # Every clerk bot logs in at once from this one address (a city's are two dozen): a
    # login counts against the address's failures until its password is checked.
    "YIMEN_LOGIN_FAILURES_PER_ADDRESS": "100",
    "YIMEN_PASSWORD_CHECK_QUEUE": "100",
}
LOGIN_LINE = re.compile(r"^\s*(\w+)\s+(\S+)\s+password\s+(\S+)\s*$")


class LoginsOrigin(StrEnum):
    NEW = "new"
    SAME = "same"
    CHANGED = "changed"


@dataclass
class HallLogins:
    """What belongs to one hall: its clerk bots (name, password) and device tokens."""

    code: str
    bots: list[tuple[str, str]] = field(default_factory=list)
    kiosk: str = ""
    board: str = ""
    zone: str = ""
    """The token of every device of the hall's self-service zone; empty without a zone."""


@dataclass
class Logins:
    people: list[tuple[str, str, str]] = field(default_factory=list)
    """(role, name, password) of the accounts for people."""
    halls: list[HallLogins] = field(default_factory=list)
    """One entry per hall, in the city's order; the first is the user's hall."""
    origin: LoginsOrigin = LoginsOrigin.NEW

    @property
    def admin_password(self) -> str:
        return next(password for role, _, password in self.people if role == "admin")

    @property
    def first(self) -> HallLogins:
        return self.halls[0]


@dataclass(frozen=True)
class Variant:
    """What `make demo` (one hall) and `--city` (the example city) differ in."""

    city: CityConfig
    config_file: Path
    """What the server is started with, written by the demo (`demo_hall`): a hall TOML
    (`--config`) for one hall, a city.toml (`--city`) for several."""

    @property
    def several(self) -> bool:
        return not self.city.single

    @property
    def noun(self) -> str:
        return "city" if self.several else "hall"

    @property
    def database_name(self) -> str:
        return f"{self.noun}.db"

    def log_name(self, process: str, code: str) -> str:
        """A hall's log of `process`: `simulator.log`, or `simulator-kangbashi.log` in a city."""
        return f"{process}-{code}.log" if self.several else f"{process}.log"

    def at(self, code: str) -> str:
        """` (the hall's name)` after something of one hall when there are several, else
        nothing."""
        return f" ({self.city.hall(code).hall.name})" if self.several else ""


def demo_variant(city: bool, directory: Path) -> Variant:
    """The example city (`--city`) or a city of just the built-in default hall, its first hall
    written into `directory` with `HUMAN_WINDOW` alone serving the user's category."""
    shipped = load_city_config(example_city_path()) if city else city_of_one(load_hall_config())
    config, config_file = write_demo_config(shipped, HUMAN_WINDOW, directory / CONFIG_FOLDER)
    return Variant(config, config_file)


@dataclass(frozen=True)
class DemoHall:
    """One hall as the demo works it: which windows the bots staff."""

    entry: CityHall
    human_window: int | None
    """The window left to a real clerk (in the first hall only)."""

    @property
    def code(self) -> str:
        return self.entry.code

    @property
    def config(self) -> HallConfig:
        return self.entry.hall

    @property
    def bot_windows(self) -> list[int]:
        return [w.number for w in self.config.windows if w.number != self.human_window]


def demo_halls(city: CityConfig) -> list[DemoHall]:
    """The city's halls; the first keeps `HUMAN_WINDOW` for a real clerk."""
    return [
        DemoHall(entry, HUMAN_WINDOW if index == 0 else None)
        for index, entry in enumerate(city.halls)
    ]


def _password() -> str:
    return secrets.token_urlsafe(9)


def read_passwords(path: Path) -> dict[str, str] | None:
    """The people's passwords (by login name) from an earlier run's logins file; None when
    the file is missing, unreadable or lacks one of them."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = {}
    for line in text.splitlines():
        match = LOGIN_LINE.match(line)
        if match:
            found[match.group(2)] = match.group(3)
    wanted = {name for _, name, *_ in PEOPLE}
    return found if wanted <= found.keys() else None


def login_lines(logins: Logins) -> list[str]:
    """The logins as the screen and the logins file show them, one account a line."""
    lines = [f"  {role:8} {name:8} password {password}" for role, name, password in logins.people]
    several = len(logins.halls) > 1
    for hall in logins.halls:
        where = f"   (hall {hall.code})" if several else ""
        lines.append(f"  {'kiosk':8} token {hall.kiosk}{where}")
        lines.append(f"  {'board':8} token {hall.board}{where}")
        if hall.zone:
            lines.append(f"  {'zone':8} token {hall.zone}{where}")
    return lines


def write_logins(path: Path, logins: Logins, *, base: str) -> None:
    """Write the logins file readable by its owner only (0600), also when it existed."""
    text = "\n".join(
        [
            "# 一门 demo logins, kept for the next `make demo` (delete this file for new ones).",
            "# The kiosk, board and zone device tokens are new on every run.",
            f"# Server: {base}",
            *login_lines(logins),
            "",
        ]
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as output:
        output.write(text)


def create_demo_accounts(
    database: Path, city: CityConfig, *, passwords: Mapping[str, str] | None = None
) -> Logins:
    """A fresh database with the city's halls, people's accounts, and each hall's bots and
    device tokens.

    People get the `passwords` given (an earlier run's) or new ones; the manager and admin are
    city-wide, the real clerk works in the first hall. The simulated clerks share one password
    (hashing is slow on purpose, and they are bots); it reaches the simulators through their
    environment only."""
    db = Database(f"sqlite:///{database}")
    prepare_database(db, city)
    now = SystemClock().now()
    logins = Logins()
    try:
        with db.write_session() as session:
            for role_shown, name, role, display, staff_no in PEOPLE:
                password = (passwords or {}).get(name) or _password()
                create_user(
                    session=session,
                    name=name,
                    role=role,
                    password=password,
                    display_name=display,
                    staff_no=staff_no,
                    now=now,
                    hall=city.default_code if role is Role.CLERK else None,
                )
                logins.people.append((role_shown, name, password))
            bot_password = _password()
            bot_hash = hash_password(bot_password)
            for number, hall in enumerate(demo_halls(city)):
                own = HallLogins(hall.code)
                for index in range(len(hall.bot_windows)):
                    # The first hall's bots keep the one-hall demo's names: clerk2, clerk3 …
                    bot = f"clerk{index + 2}" if number == 0 else f"{hall.code}-clerk{index + 1}"
                    session.add(
                        User(
                            name=bot,
                            role=Role.CLERK,
                            password_hash=bot_hash,
                            display_name=BOT_NAMES[(index + number) % len(BOT_NAMES)],
                            staff_no=f"{number + 3:02d}{index + 2:02d}",
                            created_at=now,
                            hall=hall.code,
                        )
                    )
                    own.bots.append((bot, bot_password))
                prefix = "demo" if number == 0 else f"demo-{hall.code}"
                own.kiosk = issue_device_token(
                    session=session,
                    name=f"{prefix}-kiosk",
                    role=Role.KIOSK,
                    now=now,
                    hall=hall.code,
                )
                own.board = issue_device_token(
                    session=session,
                    name=f"{prefix}-board",
                    role=Role.BOARD,
                    now=now,
                    hall=hall.code,
                )
                zone = [device.name for device in hall.config.self_service.devices]
                if zone:
                    own.zone = issue_device_token(
                        session=session,
                        name=zone[0],
                        role=Role.DEVICE,
                        devices=zone,
                        now=now,
                        hall=hall.code,
                    )
                logins.halls.append(own)
    finally:
        db.dispose()
    return logins


def fitted_profile(profile: Profile, hall: HallConfig) -> Profile | None:
    """The simulation profile without the categories `hall` lacks (a district hall has fewer
    than the default one); None when the profile fits the hall as it is."""
    kept = {
        code: load for code, load in profile.categories.items() if code in hall.category_by_code
    }
    if kept.keys() == profile.categories.keys():
        return None
    applicants = profile.applicants
    if applicants.transfer_to not in hall.category_by_code:
        applicants = applicants.model_copy(update={"transfer_to": None})
    return profile.model_copy(update={"categories": kept, "applicants": applicants})


def _toml_value(value: object) -> str:
    """A TOML value of the kinds a simulation profile holds (no TOML writer is installed)."""
    match value:
        case bool():
            return "true" if value else "false"
        case int() | float():
            return repr(value)
        case str():
            return json.dumps(value, ensure_ascii=False)
        case dt.time():
            return value.isoformat()
        case list() | tuple():
            return "[" + ", ".join(_toml_value(item) for item in value) + "]"
        case dict():
            pairs = (f"{json.dumps(str(key))} = {_toml_value(item)}" for key, item in value.items())
            return "{ " + ", ".join(pairs) + " }"
    raise TypeError(f"no TOML for {value!r}")


def profile_toml(profile: Profile) -> str:
    """The profile as a TOML file `queue-server simulate --profile` reads back."""
    lines = ["# Written by the demo: the default profile, fitted to one hall's categories."]
    for section, table in profile.model_dump(exclude_none=True).items():
        lines.append(f"\n[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def prepare_folder(directory: Path) -> None:
    """The demo folder, owner-only; the last run's hall or city, its configuration, logs,
    profiles and WAVs removed, the logins file kept."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    for database in ("hall.db", "city.db"):
        for suffix in ("", "-wal", "-shm"):
            (directory / f"{database}{suffix}").unlink(missing_ok=True)
    for name in ("logs", "announcements", "profiles", CONFIG_FOLDER):
        shutil.rmtree(directory / name, ignore_errors=True)


def has_speakers() -> bool:
    """Whether this machine has a sound card to speak through (Linux: ALSA's card list)."""
    cards = Path("/proc/asound/cards")
    try:
        text = cards.read_text()
    except OSError:
        return sys.platform == "darwin"
    return bool(text.strip()) and "no soundcards" not in text


def _script(name: str) -> str:
    """A console script of this installation, next to the running Python."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def _shown(script: str) -> str:
    """A script's path as a person types it: relative when it is below this folder."""
    with contextlib.suppress(ValueError):
        return str(Path(script).relative_to(Path.cwd()))
    return script


@dataclass
class Processes:
    """Everything the demo started, stopped together, newest first. Each child leads its own
    process group, so stopping it stops what it started too (a WAV player, say)."""

    running: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)

    def start(
        self,
        name: str,
        command: Sequence[str],
        *,
        log: Path,
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        output = log.open("ab")
        self.logs.append(output)
        process = subprocess.Popen(
            list(command),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            start_new_session=True,
        )
        self.running.append((name, process))
        return process

    def stop(self) -> None:
        for _, process in reversed(self.running):
            _signal_group(process, signal.SIGTERM)
        for _, process in reversed(self.running):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            _signal_group(process, signal.SIGKILL)
        for output in self.logs:
            output.close()


def _signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    """Signal the process group `process` leads (it was started in a session of its own)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _wait_for_server(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the queue server stopped at start; see {log}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the queue server did not answer in {STARTUP_SECONDS:g} s; see {log}")


def offers(script: str, command: str) -> bool:
    """Whether an installed console script has this subcommand (the terminals are built in
    parallel with the demo: it uses whatever is there)."""
    probe = subprocess.run(
        [_script(script), command, "--help"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    return probe.returncode == 0


def _has_board() -> bool:
    """Whether the terminal board is installed (the server never imports a user interface:
    the board runs as its own process)."""
    with contextlib.suppress(ModuleNotFoundError):
        return importlib.util.find_spec("display_board.demo_board") is not None
    return False


@dataclass(frozen=True)
class OwnTicket:
    number: str
    code: str | None
    category_name: str


async def _open_hall(
    base: str,
    kiosk: str,
    *,
    own_category: str | None,
    crowd: dict[str, float],
    size: int,
    seed: int,
) -> tuple[OwnTicket | None, int]:
    """Issue the user's own ticket (in the user's hall), then the crowd that waited at the
    door (categories drawn by their share of the day's arrivals). Returns the ticket and how
    many the crowd took."""
    own = None
    async with QueueClient(base, token=kiosk, timeout=CLIENT_TIMEOUT_SECONDS) as client:
        if own_category is not None:
            ticket = await client.issue_ticket(own_category)
            own = OwnTicket(ticket.number, ticket.public_code, ticket.category_name)
        draw = random.Random(seed)
        codes = list(crowd)
        issued = 0
        for category in draw.choices(codes, weights=[crowd[c] for c in codes], k=size):
            try:
                await client.issue_ticket(category)
            except QueueError:
                break
            issued += 1
    return own, issued


async def _final_check(
    base: str, admin_password: str, own: OwnTicket | None, *, hall: str | None
) -> list[str]:
    """What is wrong with a hall after a headless day, if anything (`hall`: the hall the
    city-wide admin names, in a city of several)."""
    problems = []
    async with QueueClient(base, timeout=CLIENT_TIMEOUT_SECONDS, hall=hall) as client:
        await client.login("admin", admin_password)
        tickets = await client.list_tickets()
    others = [t for t in tickets if own is None or t.number != own.number]
    if not others:
        problems.append("no ticket was issued")
    open_ = [t.number for t in others if t.status not in FINAL]
    if open_:
        problems.append(f"tickets not ended: {', '.join(open_)}")
    if not any(t.status is TicketStatus.DONE for t in others):
        problems.append("no ticket was served")
    if own is not None:
        mine = [t for t in tickets if t.number == own.number]
        if not mine or mine[0].status is not TicketStatus.WAITING:
            state = mine[0].status if mine else "missing"
            problems.append(f"your ticket {own.number} should still wait for you, but is {state}")
    return [f"hall {hall}: {problem}" for problem in problems] if hall else problems


async def _call_list(base: str, token: str, *, label: str = "") -> None:
    """The plain terminal board: one line per call, for when the terminal board is missing
    or the output is not a terminal (`label`: the hall's name, in a city)."""
    async with QueueClient(base, token=token) as client:
        subscription = client.subscribe()
        async for item in subscription:
            if not isinstance(item, EventMessage) or item.ticket is None:
                continue
            if item.type in (EventType.TICKET_CALLED, EventType.TICKET_RECALLED):
                again = "（重呼）" if item.type is EventType.TICKET_RECALLED else ""
                stamp = time.strftime("%H:%M:%S")
                ticket = item.ticket
                typer.echo(
                    f"{stamp}  {label}请 {ticket.number} 号到 {ticket.window_no} 号窗口办理{again}"
                    f"  [{ticket.category_name}]"
                )


async def _call_lists(base: str, variant: Variant, logins: Logins) -> None:
    """Every hall's calls as they happen, each line with its hall's name in a city."""
    await asyncio.gather(
        *(
            _call_list(
                base,
                hall.board,
                label=f"{variant.city.hall(hall.code).hall.name}  " if variant.several else "",
            )
            for hall in logins.halls
        )
    )


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a service manager, a test) stops the demo like Ctrl+C does."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class Day:
    """How the simulated day runs."""

    speed: float
    day_seconds: float | None
    arrival_scale: float
    crowd: int
    seed: int

    @property
    def pace(self) -> str:
        if self.day_seconds:
            return f"{self.day_seconds:g} s for the whole day"
        return "in real time" if self.speed == 1 else f"{self.speed:g}× real time"


def main(
    directory: Annotated[
        Path,
        typer.Option("--dir", help="Folder for the demo database, logins file, logs and WAVs"),
    ] = Path(".demo"),
    port: Annotated[int, typer.Option(help="Port for the queue server")] = 8000,
    speed: Annotated[
        float,
        typer.Option(
            min=0.1,
            help="How much faster than life the day runs; above 1, waits, ETAs and hourly"
            " counts are out of proportion",
        ),
    ] = DEFAULT_SPEED,
    headless: Annotated[
        bool, typer.Option("--headless", help="No board: run one day, check it, exit")
    ] = False,
    day_seconds: Annotated[
        float | None, typer.Option("--day-seconds", help="Squeeze the day into this many seconds")
    ] = None,
    arrival_scale: Annotated[
        float, typer.Option("--arrival-scale", help="Multiply the profile's arrival rates")
    ] = 1.0,
    crowd: Annotated[
        int, typer.Option("--crowd", min=0, help="Applicants waiting at the door at opening")
    ] = OPENING_CROWD,
    seed: Annotated[int, typer.Option(help="Seed of the simulated day")] = 1,
    city: Annotated[
        bool,
        typer.Option(
            "--city", help="The example city: three halls on one server, all worked at once"
        ),
    ] = False,
) -> None:
    """Start a demo hall (or with --city a demo city), worked by simulated clerks, and show it."""
    logins_file = directory / LOGINS_FILE
    had_file = logins_file.exists()
    passwords = read_passwords(logins_file)
    prepare_folder(directory)
    variant = demo_variant(city, directory)
    logs = directory / "logs"
    voice = directory / "announcements"
    logs.mkdir()
    database = directory / variant.database_name
    base = f"http://127.0.0.1:{port}"
    logins = create_demo_accounts(database, variant.city, passwords=passwords)
    if passwords is not None:
        logins.origin = LoginsOrigin.SAME
    elif had_file:
        logins.origin = LoginsOrigin.CHANGED
    write_logins(logins_file, logins, base=base)
    processes = Processes()
    exit_code = 0
    with _terminate_as_interrupt():
        try:
            exit_code = _run(
                processes,
                variant,
                base=base,
                database=database,
                directory=directory,
                logins=logins,
                logins_file=logins_file,
                day=Day(speed, day_seconds, arrival_scale, crowd, seed),
                headless=headless,
                port=port,
            )
        except KeyboardInterrupt:
            typer.echo("\nstopping …")
        except RuntimeError as error:
            typer.echo(str(error), err=True)
            exit_code = 1
        finally:
            processes.stop()
    typer.echo(
        f"Stopped. The {variant.noun}'s data is in {database.resolve()} (logs in {logs.resolve()})."
    )
    typer.echo(f"Logins: {logins_file.resolve()} (the same next time)")
    if voice.exists():
        typer.echo(f"Announcements: {voice.resolve()}")
    raise typer.Exit(exit_code)


def _logins_heading(logins: Logins, logins_file: Path) -> str:
    where = f"saved in {logins_file}, readable by you only"
    match logins.origin:
        case LoginsOrigin.SAME:
            return f"Logins: the same as last time ({where}):"
        case LoginsOrigin.CHANGED:
            return (
                f"Logins: NEW — the last run's file could not be read, so these replace it"
                f" ({where}):"
            )
        case LoginsOrigin.NEW:
            return f"Logins ({where}; the next run uses them again):"


def _crowd_shares(profile: Profile, hall: DemoHall) -> dict[str, float]:
    """The share of the day's arrivals of each category the hall's bots serve."""
    served = {
        code for w in hall.config.windows if w.number in hall.bot_windows for code in w.categories
    }
    return {code: load.share for code, load in profile.categories.items() if code in served}


async def _open_halls(
    base: str, halls: list[DemoHall], logins: Logins, day: Day
) -> tuple[OwnTicket, list[int]]:
    """Open every hall: the user's ticket in the first, the crowd at each hall's door."""
    profile = load_profile()
    opened = [
        await _open_hall(
            base,
            own.kiosk,
            own_category=None
            if hall.human_window is None
            else reserved_category(hall.config, hall.human_window),
            crowd=_crowd_shares(profile, hall),
            size=day.crowd,
            seed=day.seed + index,
        )
        for index, (hall, own) in enumerate(zip(halls, logins.halls, strict=True))
    ]
    ticket = opened[0][0]
    assert ticket is not None  # the first hall keeps a window for the user
    return ticket, [crowded for _, crowded in opened]


DEMO_MATTER = "social_security_card"
"""社会保障卡居民服务: either cross-region mode, no paper originals to mail."""


@dataclass(frozen=True)
class DemoCase:
    code: str
    matter_name: str
    owner_name: str
    ticket_code: str | None


async def _case_under_way(
    base: str, admin_password: str, halls: list[DemoHall], kiosk: str
) -> DemoCase:
    """In a city: an applicant at the first hall whose matter belongs to the second, received
    and forwarded, so the owning hall's 市域通办 page (F9) has a case waiting."""
    receiving, owner = halls[0], halls[1]
    async with QueueClient(base, token=kiosk, timeout=CLIENT_TIMEOUT_SECONDS) as client:
        ticket = await client.issue_ticket("general", matter=DEMO_MATTER)
    async with QueueClient(base, timeout=CLIENT_TIMEOUT_SECONDS, hall=receiving.code) as client:
        await client.login("admin", admin_password)
        case = await client.open_cross_region_case(
            ticket.id,
            matter=DEMO_MATTER,
            owner_hall=owner.code,
            mode=CrossRegionMode.REMOTE_ACCEPT,
            delivery=Delivery.PICKUP,
        )
        await client.forward_cross_region_case(case.id, ForwardChannel.ELECTRONIC)
    return DemoCase(case.code, case.matter_name, owner.config.hall.name, ticket.public_code)


def _start_server(
    processes: Processes, variant: Variant, *, database: Path, port: int, logs: Path
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "queue_server.cli",
        "serve",
        "--db",
        str(database),
        "--port",
        str(port),
    ]
    command += ["--city" if variant.several else "--config", str(variant.config_file)]
    return processes.start(
        "queue-server",
        command,
        log=logs / "server.log",
        env=SERVER_ENV,
    )


def _start_simulators(
    processes: Processes,
    variant: Variant,
    *,
    base: str,
    halls: list[DemoHall],
    logins: Logins,
    day: Day,
    directory: Path,
) -> list[subprocess.Popen[bytes]]:
    """One simulator per hall, with that hall's kiosk and clerk bots; a smaller hall gets
    fewer arrivals (in proportion to its windows) and the profile without the categories it
    lacks."""
    profile = load_profile()
    first_windows = len(halls[0].config.windows)
    simulators = []
    for index, (hall, own) in enumerate(zip(halls, logins.halls, strict=True)):
        scale = day.arrival_scale * len(hall.config.windows) / first_windows
        simulate = [
            sys.executable,
            "-m",
            "queue_server.cli",
            "simulate",
            "--server",
            base,
            "--windows",
            ",".join(str(number) for number in hall.bot_windows),
            "--arrival-scale",
            str(scale),
            "--seed",
            str(day.seed + index),
        ]
        if day.day_seconds:
            simulate += ["--day-seconds", str(day.day_seconds)]
        else:
            simulate += ["--speed", str(day.speed)]
        fitted = fitted_profile(profile, hall.config)
        if fitted is not None:
            path = directory / "profiles" / f"{hall.code}.toml"
            path.parent.mkdir(exist_ok=True)
            path.write_text(profile_toml(fitted), encoding="utf-8")
            simulate += ["--profile", str(path)]
        simulators.append(
            processes.start(
                f"simulator {hall.code}",
                simulate,
                log=directory / "logs" / variant.log_name("simulator", hall.code),
                env={
                    "YIMEN_SIM_KIOSK_TOKEN": own.kiosk,
                    "YIMEN_SIM_CLERKS": ",".join(f"{name}:{pw}" for name, pw in own.bots),
                },
            )
        )
    return simulators


def _start_zones(
    processes: Processes, variant: Variant, *, base: str, logins: Logins, logs: Path
) -> None:
    """One zone simulation per hall with a self-service zone (its devices' heartbeats)."""
    for own in logins.halls:
        if own.zone:
            processes.start(
                f"zone {own.code}",
                [sys.executable, "-m", "queue_server.demo_zone", "--server", base],
                log=logs / variant.log_name("zone", own.code),
                env={ZONE_TOKEN_ENV: own.zone},
            )


def _print_welcome(
    variant: Variant,
    *,
    base: str,
    halls: list[DemoHall],
    logins: Logins,
    logins_file: Path,
    own: OwnTicket,
    crowded: list[int],
    day: Day,
    logs: Path,
    case: DemoCase | None,
) -> None:
    first = halls[0]
    if variant.several:
        typer.echo(
            f"\n一门 demo city: {variant.city.name}, {len(halls)} halls on one server,"
            f" a simulated day {day.pace} in every hall"
        )
        for hall, count in zip(halls, crowded, strict=True):
            typer.echo(
                f"  {hall.config.hall.name} ({hall.code}): {len(hall.bot_windows)} simulated"
                f" clerks; {count} applicants were at the door."
            )
        typer.echo("")
    else:
        typer.echo(f"\n一门 demo hall: {first.config.hall.name}, a simulated day {day.pace}")
        typer.echo(
            f"  {len(first.bot_windows)} simulated clerks; {crowded[0]} applicants were at"
            " the door.\n"
        )
    typer.echo(_logins_heading(logins, logins_file))
    for line in login_lines(logins):
        typer.echo(line)
    typer.echo("")
    at_first = variant.at(first.code)
    typer.echo(
        f"Your ticket:   {own.number} ({own.category_name}), waiting for you at window"
        f" {HUMAN_WINDOW}{at_first}; no simulated clerk calls it"
    )
    typer.echo(f"Status page:   {base}/t/{own.code}   (your own ticket {own.number})")
    console = _shown(_script("clerk-tui"))
    typer.echo(f"Clerk console: {console} --server {base} --window {HUMAN_WINDOW}")
    typer.echo(f"               (log in as {HUMAN_CLERK}, then F1 calls your ticket)")
    if variant.several:
        typer.echo(
            f"Manager:       {console} manager --server {base}"
            "   (log in as manager: city-wide, every hall)"
        )
        typer.echo(f"Public halls:  {base}/api/public/halls   就近办: {base}/city")
        if case is not None:
            typer.echo(
                f"市域通办:      case {case.code} ({case.matter_name}) waits for"
                f" {case.owner_name} to accept it: F9 in its manager console;"
                f" the applicant follows it at {base}/t/{case.ticket_code}"
            )
        for hall, own_logins in zip(halls, logins.halls, strict=True):
            label = "Hall boards:" if hall is first else ""
            typer.echo(
                f"{label:15}{base}/board?token={own_logins.board}"
                f"   {hall.code}: {hall.config.hall.name}"
            )
    else:
        typer.echo(f"Manager:       {console} manager --server {base}   (log in as manager)")
        typer.echo(f"Hall board:    {base}/board?token={logins.first.board}")
    typer.echo(f"Window board:  {base}/board/window/1?token={logins.first.board}{at_first}")
    if logins.first.zone:
        typer.echo(
            f"自助服务区:    {EMPTY_PRINTER} is out of paper (F10 in the manager console);"
            f" someone pressed 一键求助 (F12 answers it){at_first}"
        )
    typer.echo(f"API docs:      {base}/docs")
    typer.echo(f"Logs:          {logs}")


def _run(
    processes: Processes,
    variant: Variant,
    *,
    base: str,
    database: Path,
    directory: Path,
    logins: Logins,
    logins_file: Path,
    day: Day,
    headless: bool,
    port: int,
) -> int:
    logs = directory / "logs"
    voice = directory / "announcements"
    server = _start_server(processes, variant, database=database, port=port, logs=logs)
    _wait_for_server(base, server, logs / "server.log")
    halls = demo_halls(variant.city)
    own, crowded = asyncio.run(_open_halls(base, halls, logins, day))
    case = (
        asyncio.run(_case_under_way(base, logins.admin_password, halls, logins.first.kiosk))
        if variant.several
        else None
    )
    _print_welcome(
        variant,
        base=base,
        halls=halls,
        logins=logins,
        logins_file=logins_file,
        own=own,
        crowded=crowded,
        day=day,
        logs=logs,
        case=case,
    )
    simulators = _start_simulators(
        processes,
        variant,
        base=base,
        halls=halls,
        logins=logins,
        day=day,
        directory=directory,
    )
    _start_zones(processes, variant, base=base, logins=logins, logs=logs)
    speakers = has_speakers() and not headless
    # The announcer speaks for the first hall: three halls through one speaker would be noise.
    board_token = {"YIMEN_BOARD_TOKEN": logins.first.board}
    announcer: subprocess.Popen[bytes] | None = None
    if offers("display-board", "announce"):
        announce = [_script("display-board"), "announce", "--server", base]
        if not speakers:
            voice.mkdir()
            announce += ["--out-dir", str(voice), "--no-play"]
        announcer = processes.start(
            "announcer", announce, log=logs / "announcer.log", env=board_token
        )
        where = "the speakers" if speakers else f"WAV files in {voice}"
        typer.echo(f"Voice:         speaking to {where}{variant.at(halls[0].code)}")
    else:
        typer.echo("Voice:         the announcer is not installed (`display-board announce`)")

    if headless:
        return _headless(
            base, variant, simulators, logins, own, announcer, None if speakers else voice
        )
    if sys.stdout.isatty() and sys.stdin.isatty() and _has_board():
        typer.echo(
            f"\nPress Enter to open the hall board{variant.at(halls[0].code)} here;"
            " Ctrl+C stops everything."
        )
        with contextlib.suppress(EOFError):
            input()
        board = [sys.executable, "-m", "display_board.demo_board", "--server", base]
        subprocess.run(board, check=False, env={**os.environ, **board_token})
        return 0
    typer.echo("\nPress Ctrl+C to stop everything.\n")
    typer.echo("Calls as they happen:")
    asyncio.run(_call_lists(base, variant, logins))
    return 0


def _wait_for_wav(folder: Path, *, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while not any(folder.glob("*.wav")):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _headless(
    base: str,
    variant: Variant,
    simulators: list[subprocess.Popen[bytes]],
    logins: Logins,
    own: OwnTicket,
    announcer: subprocess.Popen[bytes] | None,
    voice: Path | None,
) -> int:
    problems = []
    for hall, simulator in zip(logins.halls, simulators, strict=True):
        simulated = simulator.wait()
        if simulated != 0:
            log = variant.log_name("simulator", hall.code)
            problems.append(f"the simulator exited with {simulated} (see {log})")
    for index, hall in enumerate(logins.halls):
        named = hall.code if variant.several else None
        problems += asyncio.run(
            _final_check(base, logins.admin_password, own if index == 0 else None, hall=named)
        )
        if hall.zone:
            problems += asyncio.run(
                zone_problems(
                    base, kiosk=hall.kiosk, admin_password=logins.admin_password, hall=named
                )
            )
    if announcer is not None:
        if announcer.poll() is not None:
            problems.append("the announcer stopped (see announcer.log)")
        elif voice is not None and not _wait_for_wav(voice):
            problems.append("the announcer wrote no announcement")
    if problems:
        for problem in problems:
            typer.echo(f"FAILED: {problem}", err=True)
        return 1
    worked = f"Every hall of {variant.city.name}" if variant.several else "The hall"
    typer.echo(
        f"{worked} worked end to end: every other ticket issued today has ended, and your"
        f" ticket {own.number} still waits for you at window {HUMAN_WINDOW}."
    )
    if logins.first.zone:
        typer.echo(
            f"The self-service zone reported: {EMPTY_PRINTER} 暂停使用 (out of paper), its other"
            " devices 正常使用; a 一键求助 waits for staff."
        )
    return 0


if __name__ == "__main__":
    try:
        typer.run(main)
    except QueueError as error:
        typer.echo(f"demo stopped: {error.detail}", err=True)
        sys.exit(1)
