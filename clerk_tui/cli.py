"""`clerk-tui`: the clerk's console (a Textual app) on queue_server.client.

`clerk-tui --server URL [--window N] [--keys PATH]` runs the console; subcommands (a manager
console later) can join this Typer app.
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
