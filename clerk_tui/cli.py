"""`clerk-tui`: the clerk's console (a Textual app) on queue_server.client.

`clerk-tui --server URL [--window N] [--keys PATH]` runs the console;
`clerk-tui manager --server URL` runs the manager console.
"""

from pathlib import Path
from typing import Annotated

import typer

from clerk_tui.keys import KeyConfigError, default_config_path, load_keymap

app = typer.Typer(
    help="一门 clerk-tui: the clerk's console. Log in, sign in to a window, run it by keyboard.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    server: Annotated[
        str, typer.Option("--server", envvar="YIMEN_SERVER", help="The queue server's URL.")
    ] = "http://127.0.0.1:8000",
    window: Annotated[
        int | None,
        typer.Option("--window", min=1, max=999, help="Sign in to this window at once."),
    ] = None,
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys",
            "--config",
            help=f"Key file (TOML, [keys] table); default {default_config_path()} if present.",
        ),
    ] = None,
) -> None:
    """Run the clerk console."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        keymap = load_keymap(keys)
    except KeyConfigError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=2) from error
    from clerk_tui.app import ClerkApp
    from queue_server.client import QueueClient

    client = QueueClient(server)
    ClerkApp(client, window_no=window, keymap=keymap).run()


@app.command("manager")
def manager(
    server: Annotated[
        str, typer.Option("--server", envvar="YIMEN_SERVER", help="The queue server's URL.")
    ] = "http://127.0.0.1:8000",
    export_dir: Annotated[
        Path | None,
        typer.Option("--export-dir", help="Where exports are offered to be saved (default: here)."),
    ] = None,
) -> None:
    """Run the manager console: live hall, statistics, evaluations, cases, exports."""
    from clerk_tui.manager.app import ManagerApp
    from queue_server.client import QueueClient

    ManagerApp(QueueClient(server), export_dir=export_dir).run()
