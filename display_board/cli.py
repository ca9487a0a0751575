"""`display-board`: the hall and window boards and the voice announcer.

Only the entry point exists so far; the program itself is built on queue_server.client.
"""

import typer

app = typer.Typer(
    help="一门 display-board: the hall and window boards and the voice announcer (not built yet).",
    invoke_without_command=True,
)


@app.callback()
def main() -> None:
    """Say honestly that this console is not built yet."""
    typer.echo("display-board is not built yet: see README.md for what runs today.", err=True)
    raise typer.Exit(code=1)
