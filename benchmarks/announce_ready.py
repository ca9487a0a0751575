"""Call → WAV ready: from sending `POST call-next` to the announcer's finished WAV file.

The announcer runs as in a hall (`display-board announce --no-play --out-dir`): it hears the
call on the websocket, renders the phrase with pyttsx3 and the bundled espeak-ng, adds the
chime and the repeats, and writes the file. The moment it reports the file is the end of the
measure; playing it (several seconds) is not part of it.
"""

import asyncio
import contextlib
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

from benchmarks.server import running_server, seed_database
from benchmarks.stats import Latency, percentile
from display_board.voice.announcer import Announcer, AnnouncerOptions
from display_board.voice.speech import SpeechWorker
from queue_server.client import QueueClient
from tests.support import PASSWORD, Accounts

WINDOW_NO = 2
CATEGORY = "general"
WARMUP_CALLS = 1
READY_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class AnnounceReadyResult:
    """Latencies from the call's request to the announcement's WAV on disk, in milliseconds."""

    latency: Latency
    p95: float
    audio_seconds: float
    """How long one announcement plays (chime and repeats included)."""


async def _measure(base_url: str, accounts: Accounts, calls: int, folder: Path) -> list[float]:
    ready: asyncio.Queue[float] = asyncio.Queue()
    connected = asyncio.Event()

    def report(line: str) -> None:
        if line.startswith("叫号："):
            ready.put_nowait(time.perf_counter())
        elif line == "已连接服务器":
            connected.set()

    speech = SpeechWorker()
    await asyncio.to_thread(speech.start)
    announcer = Announcer(
        options=AnnouncerOptions(out_dir=folder, play=False),
        synthesiser=speech,
        player=None,
        work_dir=folder,
        report=report,
    )
    samples: list[float] = []
    try:
        async with (
            QueueClient(base_url, token=accounts.board_token) as board,
            QueueClient(base_url, token=accounts.kiosk_token) as kiosk,
            QueueClient(base_url) as clerk,
        ):
            running = asyncio.create_task(announcer.run(board))
            await asyncio.wait_for(connected.wait(), READY_TIMEOUT_SECONDS)
            await clerk.login(accounts.clerks[0], PASSWORD)
            await clerk.sign_in(WINDOW_NO)
            for _ in range(calls):
                await kiosk.issue_ticket(CATEGORY)
                sent_at = time.perf_counter()
                ticket = await clerk.call_next(WINDOW_NO)
                assert ticket is not None
                samples.append(await asyncio.wait_for(ready.get(), READY_TIMEOUT_SECONDS) - sent_at)
                await clerk.start(ticket.id)
                await clerk.finish(ticket.id)
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
    finally:
        speech.close()
    return samples


def run_against(base_url: str, accounts: Accounts, *, quick: bool) -> AnnounceReadyResult:
    """Measure against a running server whose accounts are `accounts`."""
    calls = 3 if quick else 30
    with tempfile.TemporaryDirectory(prefix="yimen-bench-announce-") as directory:
        folder = Path(directory)
        samples = asyncio.run(_measure(base_url, accounts, WARMUP_CALLS + calls, folder))
        with wave.open(str(min(folder.glob("*.wav"))), "rb") as sound:
            audio_seconds = sound.getnframes() / sound.getframerate()
    measured = samples[WARMUP_CALLS:]
    return AnnounceReadyResult(
        latency=Latency.of_seconds(measured),
        p95=percentile(sorted(value * 1000 for value in measured), 95),
        audio_seconds=round(audio_seconds, 2),
    )


def run(*, quick: bool = False) -> AnnounceReadyResult:
    """Start a real `queue-server` on a fresh database, then measure."""
    with tempfile.TemporaryDirectory(prefix="yimen-bench-announce-seed-") as directory:
        seed = seed_database(Path(directory))
        with running_server(seed) as server:
            return run_against(server.base_url, server.accounts, quick=quick)


if __name__ == "__main__":
    print(run(quick=False))
