"""`queue-server`: run the server and manage accounts and device tokens."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from queue_server import redaction
from queue_server.city import CityConfig, load_city
from queue_server.config import ConfigError, Settings
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
    typer.Option(
        "--config", help="One hall's configuration TOML [env: YIMEN_CONFIG]", exists=False
    ),
]
CityOption = Annotated[
    Path | None,
    typer.Option("--city", help="The city's configuration, city.toml [env: YIMEN_CITY]"),
]
HallOption = Annotated[
    str | None,
    typer.Option("--hall", help="The hall's code in the city (see city.toml)"),
]
HALL_BOUND_ROLES = frozenset({Role.CLERK, Role.KIOSK, Role.BOARD, Role.EVALUATOR, Role.DEVICE})
"""Clerks and devices belong to exactly one hall; managers and admins may be city-wide."""


def _settings(
    db: str | None, config: Path | None = None, city: Path | None = None, **extra: object
) -> Settings:
    values: dict[str, object] = {key: value for key, value in extra.items() if value is not None}
    if db is not None:
        values["database_url"] = db
    if config is not None:
        values["config"] = config
    if city is not None:
        values["city"] = city
    return Settings(**values)  # type: ignore[arg-type]


def _city(settings: Settings) -> CityConfig:
    try:
        return load_city(settings)
    except ConfigError as error:
        raise _fail(str(error)) from error


def _hall_of(city: CityConfig, hall: str | None, *, required: bool) -> str | None:
    """The hall `--hall` names, checked against the city; for `required` (a clerk, a device,
    a hall's report) the city's only hall when it has one, else `--hall` must be given."""
    if hall is not None:
        if hall not in city.codes:
            raise _fail(
                f"--hall: {city.source} has no hall {hall!r} (its halls: {', '.join(city.codes)})"
            )
        return hall
    if not required:
        return None
    if city.single:
        return city.default_code
    raise _fail(f"--hall CODE is needed: the city has several halls ({', '.join(city.codes)})")


def _check_zone_device(city: CityConfig, hall: str | None, names: list[str]) -> None:
    """A device token of the 24-hour zone reports devices its hall's `[self_service]` lists."""
    zone = city.hall(hall or city.default_code).self_service.device_by_name
    unknown = [name for name in names if name not in zone]
    if unknown:
        known = ", ".join(zone) or "none"
        raise _fail(
            f"{unknown[0]!r} is not a device of hall {hall!r}'s self-service zone "
            f"([[self_service.devices]]; its devices: {known})"
        )


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=2)


def _open_database(settings: Settings) -> tuple["Database", CityConfig]:
    from queue_server.app import prepare_database
    from queue_server.db import Database

    city = _city(settings)
    db = Database(settings.database_url)
    try:
        prepare_database(db, city)
    except ConfigError as error:
        db.dispose()
        raise _fail(str(error)) from error
    return db, city


@app.command()
def serve(
    db: DbOption = None,
    config: ConfigOption = None,
    city: CityOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Run the queue server for a city (`--city`) or one hall (`--config`, or the default)."""
    import uvicorn

    from queue_server.app import create_app

    settings = _settings(db, config, city, host=host, port=port)
    try:
        application = create_app(settings)
    except ConfigError as error:
        raise _fail(str(error)) from error
    # Check the database against the city before serving (a hall dropped from the city while
    # it still has data): refused here, it is a message, not a failed startup's traceback.
    database, _ = _open_database(settings)
    database.dispose()
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
        ws_per_message_deflate=settings.ws_per_message_deflate,
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
    hall: HallOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
    city: CityOption = None,
) -> None:
    """Create a person's account. The password is read from stdin, never from the command line.
    A clerk works in one hall (`--hall`); a manager or admin without `--hall` is city-wide."""
    from queue_server.services.accounts import create_user

    if not password_stdin:
        raise _fail("give --password-stdin and pipe the password in (it must not appear in argv)")
    password = sys.stdin.readline().rstrip("\r\n")
    database, served = _open_database(_settings(db, config, city))
    bound = _hall_of(served, hall, required=role in HALL_BOUND_ROLES)
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
                hall=bound,
            )
        )
    except DomainError as error:
        raise _fail(error.message) from error
    finally:
        database.dispose()
    where = f" in hall {user.hall}" if user.hall else " (city-wide)"
    typer.echo(f"created {user.role} {user.name} ({user.display_name}){where}")


@token_app.command("issue")
def token_issue(
    name: Annotated[str, typer.Argument(help="Device name, e.g. kiosk-entrance")],
    role: Annotated[Role, typer.Option("--role", help="kiosk, board, evaluator or device (zone)")],
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
    hall: HallOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
    city: CityOption = None,
) -> None:
    """Create a device token and print it once; only its digest is stored. A device belongs
    to one hall (`--hall`, needed when the city has several)."""
    from queue_server.services.accounts import issue_device_token

    if role is Role.EVALUATOR and window is None:
        raise _fail("an evaluator token rates one window: give --window N")
    database, served = _open_database(_settings(db, config, city))
    bound = _hall_of(served, hall, required=role in HALL_BOUND_ROLES)
    if role is Role.DEVICE:
        _check_zone_device(served, bound, [name, *(devices or ())])
    try:
        token = database.write_sync(
            lambda session: issue_device_token(
                session=session,
                name=name,
                role=role,
                now=SystemClock().now(),
                devices=devices or (),
                window_no=window,
                hall=bound,
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
    hall: HallOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
    city: CityOption = None,
) -> None:
    """Write one service day's report as a single HTML file with its charts embedded."""
    from datetime import date

    from queue_server.reports.daily import daily_report

    try:
        wanted = date.fromisoformat(day)
    except ValueError as error:
        raise _fail(f"--day: not a date in the form YYYY-MM-DD: {day!r}") from error
    database, served = _open_database(_settings(db, config, city))
    code = _hall_of(served, hall, required=True)
    assert code is not None
    try:
        with database.read_session() as session:
            page = daily_report(
                session, hall=served.hall(code), day=wanted, now=SystemClock().now()
            )
    finally:
        database.dispose()
    out.write_text(page, encoding="utf-8")
    typer.echo(f"wrote {out} ({len(page) // 1024} KiB)")


if __name__ == "__main__":
    app()
