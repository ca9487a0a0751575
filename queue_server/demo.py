"""`make demo`: a fresh hall on SQLite with demo accounts, then the server.

Passwords and tokens are generated, printed once and never written anywhere.
"""

import secrets
import shutil
from pathlib import Path
from typing import Annotated

import typer

from queue_server.app import prepare_database
from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import SystemClock
from queue_server.domain.enums import Role
from queue_server.services.accounts import create_user, issue_device_token

DEMO_CLERKS = [("clerk1", "王芳", "0301"), ("clerk2", "李强", "0302"), ("clerk3", "张伟", "0303")]


def _password() -> str:
    return secrets.token_urlsafe(9)


def main(
    directory: Annotated[Path, typer.Option("--dir", help="Folder for the demo database")] = Path(
        ".demo"
    ),
    port: Annotated[int, typer.Option(help="Port for the queue server")] = 8000,
) -> None:
    """Start a fresh demo hall and print how to reach it."""
    from queue_server.cli import serve

    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    database = directory / "hall.db"
    hall = load_hall_config()
    db = Database(f"sqlite:///{database}")
    prepare_database(db, hall)
    now = SystemClock().now()
    logins: list[tuple[str, str, str]] = []
    with db.write_session() as session:
        for name, role, display in (
            ("admin", Role.ADMIN, "管理员"),
            ("manager", Role.MANAGER, "赵主任"),
        ):
            password = _password()
            create_user(
                session=session,
                name=name,
                role=role,
                password=password,
                display_name=display,
                staff_no=None,
                now=now,
            )
            logins.append((name, role.value, password))
        for name, display, staff_no in DEMO_CLERKS:
            password = _password()
            create_user(
                session=session,
                name=name,
                role=Role.CLERK,
                password=password,
                display_name=display,
                staff_no=staff_no,
                now=now,
            )
            logins.append((name, "clerk", password))
        kiosk = issue_device_token(session=session, name="demo-kiosk", role=Role.KIOSK, now=now)
        board = issue_device_token(session=session, name="demo-board", role=Role.BOARD, now=now)
    db.dispose()

    base = f"http://127.0.0.1:{port}"
    typer.echo(f"\n一门 demo hall: {hall.hall.name}  (database: {database})\n")
    typer.echo("Accounts (shown once, not stored):")
    for name, kind, password in logins:
        typer.echo(f"  {kind:8} {name:8} password {password}")
    typer.echo(f"  kiosk    token {kiosk}")
    typer.echo(f"  board    token {board}\n")
    typer.echo(f"API docs:      {base}/docs")
    typer.echo(f"Hall snapshot: curl -H 'Authorization: Bearer {board}' {base}/api/hall")
    typer.echo(f"Live events:   {base.replace('http', 'ws')}/ws?token={board}")
    body = '{"category": "general"}'
    typer.echo(
        f"Take a ticket: curl -X POST -H 'Authorization: Bearer {kiosk}' "
        f"-H 'Content-Type: application/json' -d '{body}' {base}/api/tickets\n"
    )
    serve(db=f"sqlite:///{database}", config=None, host="127.0.0.1", port=port)


if __name__ == "__main__":
    typer.run(main)
