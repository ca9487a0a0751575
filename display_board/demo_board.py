"""The terminal hall board as `make demo` shows it, where Ctrl+C stops the demo.

Textual 8 binds Ctrl+C to a notice ("Press ctrl+q to quit the app"); the demo's screen says
Ctrl+C stops everything, so here it quits the board, and the demo then stops what it started.
Run as `python -m display_board.demo_board --server URL` with the board's token in
YIMEN_BOARD_TOKEN.
"""

import asyncio
from typing import Annotated, ClassVar

import typer
from textual.binding import Binding, BindingType

from display_board.app import BoardApp
from queue_server.client import QueueClient


class DemoBoardApp(BoardApp):
    """The hall board; Ctrl+C (and q, Ctrl+Q) quits it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *BoardApp.BINDINGS,
        Binding("ctrl+c", "quit", "停止演示", show=False, priority=True),
    ]


def main(
    server: Annotated[str, typer.Option("--server", help="The queue server's address")],
    token: Annotated[
        str, typer.Option("--token", envvar="YIMEN_BOARD_TOKEN", help="The board's device token")
    ],
) -> None:
    """Show the hall board until Ctrl+C."""

    async def board() -> None:
        async with QueueClient(server, token=token) as client:
            await DemoBoardApp(client).run_async()

    asyncio.run(board())


if __name__ == "__main__":
    typer.run(main)
