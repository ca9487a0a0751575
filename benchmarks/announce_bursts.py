"""Bursts of calls: how many the announcer fails to speak, and how long the last one waits.

1. `display-board announce --no-play --out-dir DIR` as a hall runs it, against a real
   `queue-server`; 4 windows call at once, 15 rounds: failed renders and calls not heard.
2. 12 calls at the same moment (opening time), spoken through a player that takes as long
   as the sound (as speakers do): the longest call-to-heard delay.
"""

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.server import running_server, seed_database
from display_board.voice.announcer import Announcer, AnnouncerOptions, Heard
from display_board.voice.speech import SpeechWorker
from queue_server.client import QueueClient
from queue_server.domain.clock import SystemClock
from queue_server.protocol import EventMessage, EventType, TicketPublic, TicketStatus
from tests.support import PASSWORD

WINDOWS = (2, 3, 4, 5)
ROUNDS = 15
SETTLE_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class BurstResult:
    calls: int
    heard: int
    failed_renders: int
    worst_delay_of_12: float


async def _call_rounds(base_url: str, kiosk_token: str, clerks: list[str]) -> int:
    async with contextlib.AsyncExitStack() as stack:
        kiosk = await stack.enter_async_context(QueueClient(base_url, token=kiosk_token))
        signed: list[QueueClient] = []
        for name, window_no in zip(clerks, WINDOWS, strict=False):
            clerk = await stack.enter_async_context(QueueClient(base_url))
            await clerk.login(name, PASSWORD)
            await clerk.sign_in(window_no)
            signed.append(clerk)
        for _ in range(ROUNDS * len(WINDOWS)):
            await kiosk.issue_ticket("general")
        for _ in range(ROUNDS):
            calling = zip(signed, WINDOWS, strict=True)
            tickets = await asyncio.gather(*(c.call_next(n) for c, n in calling))
            for clerk, ticket in zip(signed, tickets, strict=True):
                assert ticket is not None
                await clerk.start(ticket.id)
                await clerk.finish(ticket.id)
    return ROUNDS * len(WINDOWS)


def cli_bursts(python_path: str | None = None) -> tuple[int, int, int]:
    """(calls, heard, failed renders) with `display-board announce` in a child process;
    `python_path` runs another checkout of the announcer (to compare with an older one)."""
    with tempfile.TemporaryDirectory(prefix="yimen-bench-bursts-") as directory:
        seed = seed_database(Path(directory))
        out = Path(directory) / "announcements"
        env = dict(os.environ)
        if python_path:
            env["PYTHONPATH"] = python_path
        with running_server(seed) as server:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "display_board", "announce", "--no-play"),
                    *("--out-dir", str(out), "--server", server.base_url),
                    *("--token", seed.accounts.board_token),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                cwd=python_path or None,  # `-m` looks in the working directory first
            )
            try:
                asyncio.run(asyncio.sleep(3))
                calls = asyncio.run(
                    _call_rounds(server.base_url, seed.accounts.kiosk_token, seed.accounts.clerks)
                )
                asyncio.run(asyncio.sleep(SETTLE_SECONDS))
            finally:
                process.terminate()
                output, _ = process.communicate(timeout=20)
    lines = output.splitlines()
    heard = sum(line.startswith("叫号：") for line in lines)
    failed = sum("语音失败" in line for line in lines)
    return calls, heard, failed


class RealTimePlayer:
    """Takes as long as the sound, like speakers, without a sound card."""

    async def play(self, path: Path) -> None:
        with wave.open(str(path), "rb") as sound:
            await asyncio.sleep(sound.getnframes() / sound.getframerate())


def _call(seq: int, window_no: int, now_clock: SystemClock) -> EventMessage:
    ticket = TicketPublic(
        id=seq,
        number=f"B{seq:03d}",
        category="general",
        category_name="综合",
        status=TicketStatus.CALLED,
        issued_at=now_clock.now(),
        service_day=date.today(),
        window_no=window_no,
    )
    return EventMessage(type=EventType.TICKET_CALLED, seq=seq, at=now_clock.now(), ticket=ticket)


async def _twelve_at_once(folder: Path) -> list[Heard]:
    heard: list[Heard] = []
    all_heard = asyncio.Event()

    def hear(item: Heard) -> None:
        heard.append(item)
        if len(heard) == 12:
            all_heard.set()

    speech = SpeechWorker()
    await asyncio.to_thread(speech.start)
    clock = SystemClock()
    announcer = Announcer(
        options=AnnouncerOptions(out_dir=folder),
        synthesiser=speech,
        player=RealTimePlayer(),
        work_dir=folder,
        report=print,
        heard=hear,
        clock=clock,
    )
    try:
        speaking = asyncio.create_task(announcer.speak_queued())
        for window_no in range(1, 13):
            announcer.receive(_call(window_no, window_no, clock), now=clock.now())
        await all_heard.wait()
        speaking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await speaking
    finally:
        speech.close()
    return heard


def twelve_at_once() -> float:
    with tempfile.TemporaryDirectory(prefix="yimen-bench-twelve-") as directory:
        heard = asyncio.run(_twelve_at_once(Path(directory)))
    return max(item.delay_seconds for item in heard)


def run() -> BurstResult:
    calls, heard, failed = cli_bursts()
    return BurstResult(calls, heard, failed, round(twelve_at_once(), 1))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(cli_bursts(sys.argv[1]))
    else:
        print(run())
