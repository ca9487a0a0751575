"""`make demo`: a fresh hall on SQLite, worked by the live simulator, shown on a board.

Starts, each as its own process: the queue server on a fresh SQLite file with the default
hall; the live simulator (a kiosk bot and clerk bots, one window left for a real clerk); the
voice announcer (speakers when there are any, WAV files in the demo folder otherwise); and in
the foreground the terminal hall board (or, where that is not available, a plain list of the
calls). Passwords and tokens are generated, printed once and never written anywhere; the bots
receive theirs through the environment. Ctrl+C stops everything the demo started.

`--headless --day-seconds N` runs one short day without the board and exits 0 when the hall
worked end to end (every ticket ended, the simulator saw no error, the announcer spoke).
"""

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Annotated

import httpx
import typer

from queue_server.app import prepare_database
from queue_server.client import QueueClient, QueueError
from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import SystemClock
from queue_server.domain.enums import Role
from queue_server.models import User
from queue_server.protocol import EventMessage, EventType, TicketStatus
from queue_server.security import hash_password
from queue_server.services.accounts import create_user, issue_device_token

HUMAN_CLERK = ("clerk1", "王芳", "0301")
HUMAN_WINDOW = 2
"""The window the bots leave free for a real clerk at `clerk-tui`."""
BOT_NAMES = ["李强", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴昊", "徐丽", "孙涛"]
STARTUP_SECONDS = 60.0
CLIENT_TIMEOUT_SECONDS = 60.0
FINAL = {TicketStatus.DONE, TicketStatus.TRANSFERRED, TicketStatus.CANCELLED, TicketStatus.NO_SHOW}


@dataclass
class Logins:
    people: list[tuple[str, str, str]] = field(default_factory=list)
    """(role, name, password) of the accounts printed for people."""
    bots: list[tuple[str, str]] = field(default_factory=list)
    admin_password: str = ""
    kiosk: str = ""
    board: str = ""


def _password() -> str:
    return secrets.token_urlsafe(9)


def create_demo_hall(database: Path, *, windows: int) -> Logins:
    """A fresh database with the default hall, people's accounts, bots and device tokens.

    The simulated clerks share one password (hashing is slow on purpose, and they are
    bots); it reaches the simulator through its environment only."""
    hall = load_hall_config()
    db = Database(f"sqlite:///{database}")
    prepare_database(db, hall)
    now = SystemClock().now()
    logins = Logins()
    try:
        with db.write_session() as session:

            def person(name: str, role: Role, display: str, staff_no: str | None) -> str:
                password = _password()
                create_user(
                    session=session,
                    name=name,
                    role=role,
                    password=password,
                    display_name=display,
                    staff_no=staff_no,
                    now=now,
                )
                return password

            logins.admin_password = person("admin", Role.ADMIN, "管理员", None)
            logins.people.append(("admin", "admin", logins.admin_password))
            logins.people.append(
                ("manager", "manager", person("manager", Role.MANAGER, "赵主任", None))
            )
            name, display, staff_no = HUMAN_CLERK
            logins.people.append(("clerk", name, person(name, Role.CLERK, display, staff_no)))
            bot_password = _password()
            bot_hash = hash_password(bot_password)
            for index in range(windows - 1):
                bot = f"clerk{index + 2}"
                session.add(
                    User(
                        name=bot,
                        role=Role.CLERK,
                        password_hash=bot_hash,
                        display_name=BOT_NAMES[index % len(BOT_NAMES)],
                        staff_no=f"03{index + 2:02d}",
                        created_at=now,
                    )
                )
                logins.bots.append((bot, bot_password))
            logins.kiosk = issue_device_token(
                session=session, name="demo-kiosk", role=Role.KIOSK, now=now
            )
            logins.board = issue_device_token(
                session=session, name="demo-board", role=Role.BOARD, now=now
            )
    finally:
        db.dispose()
    return logins


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


@dataclass
class Processes:
    """Everything the demo started, stopped together, newest first."""

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
            if process.poll() is None:
                process.terminate()
        for _, process in reversed(self.running):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for output in self.logs:
            output.close()


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


async def _own_ticket(base: str, kiosk: str) -> tuple[str, str | None]:
    async with QueueClient(base, token=kiosk, timeout=CLIENT_TIMEOUT_SECONDS) as client:
        ticket = await client.issue_ticket("general", matter="newborn")
    return ticket.number, ticket.public_code


async def _final_check(base: str, admin_password: str) -> list[str]:
    """What is wrong with the hall after a headless day, if anything."""
    problems = []
    async with QueueClient(base, timeout=CLIENT_TIMEOUT_SECONDS) as client:
        await client.login("admin", admin_password)
        tickets = await client.list_tickets()
    if not tickets:
        problems.append("no ticket was issued")
    open_ = [t.number for t in tickets if t.status not in FINAL]
    if open_:
        problems.append(f"tickets not ended: {', '.join(open_)}")
    if not any(t.status is TicketStatus.DONE for t in tickets):
        problems.append("no ticket was served")
    return problems


async def _call_list(base: str, token: str) -> None:
    """The plain terminal board: one line per call, for when `display-board` is missing."""
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
                    f"{stamp}  请 {ticket.number} 号到 {ticket.window_no} 号窗口办理{again}"
                    f"  [{ticket.category_name}]"
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


def main(
    directory: Annotated[
        Path, typer.Option("--dir", help="Folder for the demo database, logs and announcements")
    ] = Path(".demo"),
    port: Annotated[int, typer.Option(help="Port for the queue server")] = 8000,
    speed: Annotated[float, typer.Option(help="How much faster than life the day runs")] = 20.0,
    headless: Annotated[
        bool, typer.Option("--headless", help="No board: run one day, check it, exit")
    ] = False,
    day_seconds: Annotated[
        float | None, typer.Option("--day-seconds", help="Squeeze the day into this many seconds")
    ] = None,
    arrival_scale: Annotated[
        float, typer.Option("--arrival-scale", help="Multiply the profile's arrival rates")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed of the simulated day")] = 1,
) -> None:
    """Start a fresh demo hall, worked by simulated clerks, and show it."""
    if directory.exists():
        shutil.rmtree(directory)
    logs = directory / "logs"
    voice = directory / "announcements"
    logs.mkdir(parents=True)
    database = directory / "hall.db"
    hall = load_hall_config()
    logins = create_demo_hall(database, windows=len(hall.windows))
    base = f"http://127.0.0.1:{port}"
    processes = Processes()
    exit_code = 0
    with _terminate_as_interrupt():
        try:
            exit_code = _run(
                processes,
                base=base,
                database=database,
                logs=logs,
                voice=voice,
                logins=logins,
                hall_name=hall.hall.name,
                window_numbers=[w.number for w in hall.windows],
                speed=speed,
                day_seconds=day_seconds,
                arrival_scale=arrival_scale,
                seed=seed,
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
    typer.echo(f"Stopped. The hall's data is in {database.resolve()} (logs in {logs.resolve()}).")
    if voice.exists():
        typer.echo(f"Announcements: {voice.resolve()}")
    raise typer.Exit(exit_code)


def _run(
    processes: Processes,
    *,
    base: str,
    database: Path,
    logs: Path,
    voice: Path,
    logins: Logins,
    hall_name: str,
    window_numbers: list[int],
    speed: float,
    day_seconds: float | None,
    arrival_scale: float,
    seed: int,
    headless: bool,
    port: int,
) -> int:
    server_log = logs / "server.log"
    server = processes.start(
        "queue-server",
        [
            sys.executable,
            "-m",
            "queue_server.cli",
            "serve",
            "--db",
            str(database),
            "--port",
            str(port),
        ],
        log=server_log,
        # The simulated kiosk issues a whole compressed day: faster than one real kiosk may.
        env={"YIMEN_KIOSK_ISSUE_SECONDS": "0"},
    )
    _wait_for_server(base, server, server_log)
    number, code = asyncio.run(_own_ticket(base, logins.kiosk))

    typer.echo(f"\n一门 demo hall: {hall_name}  (database: {database})\n")
    typer.echo("Accounts (shown once, not stored):")
    for role, name, password in logins.people:
        typer.echo(f"  {role:8} {name:8} password {password}")
    typer.echo(f"  kiosk    token {logins.kiosk}")
    typer.echo(f"  board    token {logins.board}\n")
    typer.echo(f"API docs:      {base}/docs")
    typer.echo(f"Hall board:    {base}/board?token={logins.board}")
    typer.echo(f"Window board:  {base}/board/window/1?token={logins.board}")
    typer.echo(f"Status page:   {base}/t/{code}   (your own ticket {number})")
    typer.echo(
        f"Clerk console: {_script('clerk-tui')} --server {base} --window {HUMAN_WINDOW}"
        f"   (log in as {HUMAN_CLERK[0]}; the simulated clerks leave window {HUMAN_WINDOW} to you)"
    )
    typer.echo(f"Logs:          {logs}\n")

    bot_windows = [n for n in window_numbers if n != HUMAN_WINDOW]
    simulate = [
        sys.executable,
        "-m",
        "queue_server.cli",
        "simulate",
        "--server",
        base,
        "--windows",
        ",".join(str(n) for n in bot_windows),
        "--arrival-scale",
        str(arrival_scale),
        "--seed",
        str(seed),
    ]
    simulate += ["--day-seconds", str(day_seconds)] if day_seconds else ["--speed", str(speed)]
    simulator = processes.start(
        "simulator",
        simulate,
        log=logs / "simulator.log",
        env={
            "YIMEN_SIM_KIOSK_TOKEN": logins.kiosk,
            "YIMEN_SIM_CLERKS": ",".join(f"{name}:{pw}" for name, pw in logins.bots),
        },
    )
    speakers = has_speakers() and not headless
    board_token = {"YIMEN_BOARD_TOKEN": logins.board}
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
        typer.echo(f"Voice announcer: speaking to {where}")
    else:
        typer.echo("Voice announcer: not installed yet (`display-board announce`)")

    if headless:
        return _headless(base, simulator, logins, announcer, None if speakers else voice)
    typer.echo("Press Ctrl+C to stop everything.\n")
    board = [_script("display-board"), "hall", "--server", base]
    if sys.stdout.isatty() and offers("display-board", "hall"):
        subprocess.run(board, check=False, env={**os.environ, **board_token})
        return 0
    typer.echo("Calls as they happen (the plain list; the terminal board is `display-board hall`):")
    asyncio.run(_call_list(base, logins.board))
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
    simulator: subprocess.Popen[bytes],
    logins: Logins,
    announcer: subprocess.Popen[bytes] | None,
    voice: Path | None,
) -> int:
    simulated = simulator.wait()
    problems = asyncio.run(_final_check(base, logins.admin_password))
    if simulated != 0:
        problems.append(f"the simulator exited with {simulated} (see simulator.log)")
    if announcer is not None:
        if announcer.poll() is not None:
            problems.append("the announcer stopped (see announcer.log)")
        elif voice is not None and not _wait_for_wav(voice):
            problems.append("the announcer wrote no announcement")
    if problems:
        for problem in problems:
            typer.echo(f"FAILED: {problem}", err=True)
        return 1
    typer.echo("The hall worked end to end: every ticket issued today has ended.")
    return 0


if __name__ == "__main__":
    try:
        typer.run(main)
    except QueueError as error:
        typer.echo(f"demo stopped: {error.detail}", err=True)
        sys.exit(1)
