"""`clerk-tui`: the clerk's console (a Textual app).

Only the entry point exists so far; the program itself is built on queue_server.client.
"""

import typer

app = typer.Typer(
    help="一门 clerk-tui: the clerk's console (a Textual app) (not built yet).",
    invoke_without_command=True,
)


@app.callback()
def main() -> None:
    """Say honestly that this console is not built yet."""
    typer.echo("clerk-tui is not built yet: see README.md for what runs today.", err=True)
    raise typer.Exit(code=1)
