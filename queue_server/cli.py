"""`queue-server`: run the server and manage accounts and device tokens."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from queue_server import redaction
from queue_server.config import ConfigError, Settings, load_hall_config
from queue_server.domain.clock import SystemClock
from queue_server.domain.enums import Role
from queue_server.domain.errors import DomainError
from queue_server.simulation.cli import simulate

if TYPE_CHECKING:
    from queue_server.db import Database

app = typer.Typer(help="一门 (yimen) queue server.", no_args_is_help=True)
user_app = typer.Typer(
    help="Manage people's accounts (admin, manager, clerk).", no_args_is_help=True
)
token_app = typer.Typer(
    help="Manage device tokens (kiosk, board, evaluator).", no_args_is_help=True
)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.command("simulate")(simulate)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file path [env: YIMEN_DATABASE_URL]"),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Hall configuration TOML [env: YIMEN_CONFIG]", exists=False),
]


def _settings(db: str | None, config: Path | None = None, **extra: object) -> Settings:
    values: dict[str, object] = {key: value for key, value in extra.items() if value is not None}
    if db is not None:
        values["database_url"] = db
    if config is not None:
        values["config"] = config
    return Settings(**values)  # type: ignore[arg-type]


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=2)


def _open_database(settings: Settings) -> "Database":
    from queue_server.app import prepare_database
    from queue_server.db import Database

    try:
        hall = load_hall_config(settings.config)
    except ConfigError as error:
        raise _fail(str(error)) from error
    db = Database(settings.database_url)
    prepare_database(db, hall)
    return db


@app.command()
def serve(
    db: DbOption = None,
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Run the queue server."""
    import uvicorn

    from queue_server.app import create_app

    settings = _settings(db, config, host=host, port=port)
    try:
        application = create_app(settings)
    except ConfigError as error:
        raise _fail(str(error)) from error
    typer.echo(
        f"一门 queue server on http://{host}:{port}  (database: {settings.database_url.split('://')[0]})"
    )
    server_config = uvicorn.Config(
        application,
        host=host,
        port=port,
        log_level="info",
        ws_ping_interval=20,
        ws_ping_timeout=20,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(server_config)
    redaction.install()
    server.run()


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[Role, typer.Option("--role", help="admin, manager or clerk")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="Name shown on boards")
    ] = None,
    staff_no: Annotated[str | None, typer.Option("--staff-no", help="Staff number (工号)")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Create a person's account. The password is read from stdin, never from the command line."""
    from queue_server.services.accounts import create_user

    if not password_stdin:
        raise _fail("give --password-stdin and pipe the password in (it must not appear in argv)")
    password = sys.stdin.readline().rstrip("\r\n")
    database = _open_database(_settings(db, config))
    try:
        user = database.write_sync(
            lambda session: create_user(
                session=session,
                name=name,
                role=role,
                password=password,
                display_name=display_name,
                staff_no=staff_no,
                now=SystemClock().now(),
            )
        )
    except DomainError as error:
        raise _fail(error.message) from error
    finally:
        database.dispose()
    typer.echo(f"created {user.role} {user.name} ({user.display_name})")


@token_app.command("issue")
def token_issue(
    name: Annotated[str, typer.Argument(help="Device name, e.g. kiosk-entrance")],
    role: Annotated[Role, typer.Option("--role", help="kiosk, board or evaluator")],
    devices: Annotated[
        list[str] | None,
        typer.Option(
            "--device",
            help="A further device name whose heartbeats the token sends (repeat for more); "
            "the token always reports the device NAME",
        ),
    ] = None,
    window: Annotated[
        int | None,
        typer.Option("--window", min=1, help="Evaluator tokens: the one window the tablet rates"),
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Create a device token and print it once; only its digest is stored."""
    from queue_server.services.accounts import issue_device_token

    if role is Role.EVALUATOR and window is None:
        raise _fail("an evaluator token rates one window: give --window N")
    database = _open_database(_settings(db, config))
    try:
        token = database.write_sync(
            lambda session: issue_device_token(
                session=session,
                name=name,
                role=role,
                now=SystemClock().now(),
                devices=devices or (),
                window_no=window,
            )
        )
    except DomainError as error:
        raise _fail(error.message) from error
    finally:
        database.dispose()
    typer.echo(token)


@app.command()
def backup(
    to: Annotated[Path, typer.Option("--to", help="Folder for the backups")],
    keep: Annotated[int, typer.Option(min=1, help="How many backups to keep")] = 14,
    db: DbOption = None,
) -> None:
    """Back up a SQLite hall database while the server runs (SQLite's online backup)."""
    from queue_server.backup import BackupError
    from queue_server.backup import backup as make_backup

    settings = _settings(db)
    try:
        target = make_backup(
            database_url=settings.database_url, directory=to, now=SystemClock().now(), keep=keep
        )
    except (BackupError, OSError) as error:
        raise _fail(f"backup failed: {error}") from error
    typer.echo(f"backed up to {target}")


@app.command()
def report(
    day: Annotated[str, typer.Option("--day", help="The service day, YYYY-MM-DD")],
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write")],
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Write one service day's report as a single HTML file with its charts embedded."""
    from datetime import date

    from queue_server.reports.daily import daily_report

    try:
        wanted = date.fromisoformat(day)
    except ValueError as error:
        raise _fail(f"--day: not a date in the form YYYY-MM-DD: {day!r}") from error
    settings = _settings(db, config)
    hall = load_hall_config(settings.config)
    database = _open_database(settings)
    try:
        with database.read_session() as session:
            page = daily_report(session, hall=hall, day=wanted, now=SystemClock().now())
    finally:
        database.dispose()
    out.write_text(page, encoding="utf-8")
    typer.echo(f"wrote {out} ({len(page) // 1024} KiB)")


if __name__ == "__main__":
    app()
