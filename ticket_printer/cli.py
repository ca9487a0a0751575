"""`ticket-printer`: the kiosk and the ticket printer.

Only the entry point exists so far; the program itself is built on queue_server.client.
"""

import typer

app = typer.Typer(
    help="一门 ticket-printer: the kiosk and the ticket printer (not built yet).",
    invoke_without_command=True,
)


@app.callback()
def main() -> None:
    """Say honestly that this console is not built yet."""
    typer.echo("ticket-printer is not built yet: see README.md for what runs today.", err=True)
    raise typer.Exit(code=1)
