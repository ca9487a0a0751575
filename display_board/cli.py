"""`display-board`: the hall board, a window's board, and the voice announcer."""

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Annotated

import typer

from display_board.window_ranges import parse_window_ranges

app = typer.Typer(
    help="一门 display-board: the hall and window boards and the voice announcer.",
    no_args_is_help=True,
)

ServerOption = Annotated[
    str,
    typer.Option("--server", envvar="YIMEN_SERVER", help="The queue server's address"),
]
TokenOption = Annotated[
    str,
    typer.Option(
        "--token",
        envvar="YIMEN_BOARD_TOKEN",
        help="The board's device token (`queue-server token issue NAME --role board`)",
    ),
]


def _run_board(server: str, token: str, window_no: int | None) -> None:
    from display_board.app import BoardApp
    from queue_server.client import QueueClient

    async def main() -> None:
        async with QueueClient(server, token=token) as client:
            await BoardApp(client, window_no=window_no).run_async()

    asyncio.run(main())


@app.command()
def hall(server: ServerOption, token: TokenOption) -> None:
    """The hall board: the newest call, recent calls, every window, queues and the notice.

    Needs a terminal of at least 100×30 (a hall of up to 12 windows and 7 categories)."""
    _run_board(server, token, None)


@app.command()
def window(
    number: Annotated[int, typer.Argument(min=1, max=999, help="The window's number")],
    server: ServerOption,
    token: TokenOption,
) -> None:
    """One window's display: its current number and clerk, or 暂停服务.

    Needs a terminal of at least 80×24."""
    _run_board(server, token, number)


def _windows(value: str | None) -> frozenset[int] | None:
    if value is None:
        return None
    try:
        return parse_window_ranges(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error


@app.command()
def announce(
    server: ServerOption,
    token: TokenOption,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            file_okay=False,
            help="Also write each announcement as a numbered WAV file into this folder",
        ),
    ] = None,
    windows: Annotated[
        str | None,
        typer.Option("--windows", help="Announce only calls to these windows, e.g. 1-8,12"),
    ] = None,
    play: Annotated[
        bool, typer.Option("--play/--no-play", help="Play through the speakers")
    ] = True,
    player: Annotated[
        str, typer.Option("--player", help="The command that plays a WAV file")
    ] = "aplay -q",
    repeats: Annotated[
        int | None,
        typer.Option("--repeats", min=1, max=5, help="Times to speak each call [hall config]"),
    ] = None,
    chime: Annotated[
        bool | None,
        typer.Option("--chime/--no-chime", help="A chime before each call [hall config]"),
    ] = None,
    voice: Annotated[str, typer.Option("--voice", help="The espeak-ng voice")] = "cmn",
    max_age: Annotated[
        float,
        typer.Option(
            "--max-age",
            min=0,
            help="Skip calls older than this many seconds (missed while offline)",
        ),
    ] = 120.0,
) -> None:
    """Speak every call and recall, one at a time, in the order they were made."""
    from display_board.voice.announcer import AnnouncerOptions, run_announcer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not play and out_dir is None:
        raise typer.BadParameter("--no-play needs --out-dir, or nothing would come out")
    options = AnnouncerOptions(
        windows=_windows(windows),
        out_dir=out_dir,
        play=play,
        player_command=player,
        repeats=repeats,
        chime=chime,
        voice=voice,
        max_age_seconds=max_age,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_announcer(server, token, options))
