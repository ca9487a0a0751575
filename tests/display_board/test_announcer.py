"""The voice announcer against a real server: real speech into real WAV files; calls in
bursts all heard, a failed render reported and tried again."""

import asyncio
import contextlib
import queue
import shutil
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from display_board.voice.announcer import Announcer, AnnouncerOptions, Heard
from display_board.voice.player import CommandPlayer, PlaybackFailed
from display_board.voice.speech import SpeechUnavailable, SpeechWorker
from display_board.voice.wav import read_wav
from queue_server.client import QueueClient
from tests.browser import ARTIFACTS
from tests.display_board.support import WAIT_SECONDS, clerk_at, wait_until
from tests.display_board.wav_analysis import loudness, voiced_seconds
from tests.support import LiveServer

ONE_ANNOUNCEMENT_SECONDS = (4.0, 20.0)
"""Chime, the phrase twice and a pause: a few seconds; far more would mean two merged."""


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as sound:
        assert (sound.getnchannels(), sound.getsampwidth()) == (1, 2)
        return sound.getnframes() / sound.getframerate()


@contextlib.contextmanager
def announcer_process(server: LiveServer, *arguments: str) -> Iterator["queue.Queue[str]"]:
    """`display-board announce` as a hall runs it; yields its output lines as they come."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "display_board",
            "announce",
            "--server",
            server.base_url,
            "--token",
            server.accounts.board_token,
            *arguments,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        yield lines
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def wait_for_line(lines: "queue.Queue[str]", fragment: str, seen: list[str]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if fragment in line:
            return line
    raise AssertionError(f"no line with {fragment!r}; output so far:\n" + "\n".join(seen))


def wait_for_files(folder: Path, count: int) -> list[Path]:
    deadline = time.monotonic() + WAIT_SECONDS * 2
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.wav"))
        if len(files) >= count:
            return files
        time.sleep(0.05)
    raise AssertionError(f"expected {count} WAV files, found {sorted(folder.iterdir())}")


def test_calls_and_a_recall_become_wav_files_in_order(server: LiveServer, tmp_path: Path) -> None:
    out = tmp_path / "announcements"
    seen: list[str] = []
    with announcer_process(server, "--out-dir", str(out), "--no-play") as lines:
        wait_for_line(lines, "语音引擎就绪：espeak-ng 1.52", seen)
        wait_for_line(lines, "已连接服务器", seen)

        async def calls() -> tuple[str, str]:
            kiosk = QueueClient(server.base_url, token=server.accounts.kiosk_token)
            async with (
                kiosk,
                clerk_at(server.base_url, "clerk1", 2) as first,
                clerk_at(server.base_url, "clerk2", 12) as second,
            ):
                general = await kiosk.issue_ticket("general")
                pickup = await kiosk.issue_ticket("pickup")
                await first.call_next(2)
                await second.call_next(12)
                await first.recall(general.id)
                return general.number, pickup.number

        general, pickup = asyncio.run(calls())
        files = wait_for_files(out, 3)
        wait_for_line(lines, "重呼：", seen)
    assert [path.name for path in files] == [
        f"0001-{general}-w02.wav",
        f"0002-{pickup}-w12.wav",
        f"0003-{general}-w02-recall.wav",
    ]
    durations = [wav_seconds(path) for path in files]
    low, high = ONE_ANNOUNCEMENT_SECONDS
    assert all(low < seconds < high for seconds in durations), durations
    assert all(loudness(read_wav(path)) > 0.01 for path in files)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(files[1], ARTIFACTS / "announcement-window-12.wav")
    assert files[0].stat().st_mtime <= files[1].stat().st_mtime <= files[2].stat().st_mtime
    output = "\n".join(seen)
    assert f"叫号：请{general}号到2号窗口办理" in output
    assert f"叫号：请{pickup}号到12号窗口办理" in output


class RecordingPlayer:
    """Stands in for the speakers: records when each file started and stopped playing."""

    def __init__(self, seconds: float = 0.3) -> None:
        self.seconds = seconds
        self.played: list[tuple[float, float, str]] = []
        self.busy = False

    async def play(self, path: Path) -> None:
        assert not self.busy, "two announcements played at once"
        self.busy = True
        start = time.monotonic()
        await asyncio.sleep(self.seconds)
        self.busy = False
        self.played.append((start, time.monotonic(), path.name))


@pytest.fixture(scope="module")
def speech() -> Iterator[SpeechWorker]:
    worker = SpeechWorker()
    worker.start()
    yield worker
    worker.close()


async def _quick_calls_never_overlap(
    server: LiveServer, speech: SpeechWorker, out: Path
) -> tuple[RecordingPlayer, list[str], list[str]]:
    player = RecordingPlayer()
    reports: list[str] = []
    announcer = Announcer(
        options=AnnouncerOptions(out_dir=out, windows=frozenset({3, 4})),
        synthesiser=speech,
        player=player,
        work_dir=out,
        report=reports.append,
    )
    kiosk = QueueClient(server.base_url, token=server.accounts.kiosk_token)
    async with QueueClient(server.base_url, token=server.accounts.board_token) as board:
        running = asyncio.create_task(announcer.run(board))
        await wait_until(lambda: "已连接服务器" in reports, "the announcer's connection")
        async with (
            kiosk,
            clerk_at(server.base_url, "clerk3", 3) as first,
            clerk_at(server.base_url, "clerk4", 4) as second,
            clerk_at(server.base_url, "clerk5", 5) as elsewhere,
        ):
            numbers = [(await kiosk.issue_ticket("general")).number for _ in range(3)]
            await first.call_next(3)
            await second.call_next(4)
            await elsewhere.call_next(5)
            await wait_until(lambda: len(player.played) == 2, "two announcements played")
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    return player, numbers, reports


def test_quick_calls_are_spoken_one_at_a_time_in_order(
    server: LiveServer, speech: SpeechWorker, tmp_path: Path
) -> None:
    player, numbers, reports = asyncio.run(_quick_calls_never_overlap(server, speech, tmp_path))
    (_, first_end, first), (second_start, _, second) = player.played
    assert first_end <= second_start
    assert [first, second] == [f"0001-{numbers[0]}-w03.wav", f"0002-{numbers[1]}-w04.wav"]
    assert any("不播报" in line and "5 号窗口" in line for line in reports), reports
    assert len(list(tmp_path.glob("*.wav"))) == 2


def test_a_broken_player_is_reported_and_the_next_call_still_spoken(
    server: LiveServer, speech: SpeechWorker, tmp_path: Path
) -> None:
    async def scenario() -> list[str]:
        reports: list[str] = []
        announcer = Announcer(
            options=AnnouncerOptions(out_dir=tmp_path),
            synthesiser=speech,
            player=CommandPlayer("no-such-player-for-yimen -q"),
            work_dir=tmp_path,
            report=reports.append,
        )
        kiosk = QueueClient(server.base_url, token=server.accounts.kiosk_token)
        async with QueueClient(server.base_url, token=server.accounts.board_token) as board:
            running = asyncio.create_task(announcer.run(board))
            await wait_until(lambda: "已连接服务器" in reports, "the announcer's connection")
            async with kiosk, clerk_at(server.base_url, "clerk6", 6) as clerk:
                ticket = await kiosk.issue_ticket("general")
                await clerk.call_next(6)
                await clerk.recall(ticket.id)
                await wait_until(
                    lambda: sum("无法播放" in line for line in reports) == 2, "two failures"
                )
            assert not running.done()
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        return reports

    reports = asyncio.run(scenario())
    assert any("无法启动播放程序" in line for line in reports), reports
    assert len(list(tmp_path.glob("*.wav"))) == 2


def test_a_failing_player_command_raises_playback_failed(tmp_path: Path) -> None:
    with pytest.raises(PlaybackFailed, match="播放失败"):
        asyncio.run(CommandPlayer("false").play(tmp_path / "missing.wav"))


def test_without_a_speech_engine_calls_are_still_followed_and_shown(
    server: LiveServer, tmp_path: Path
) -> None:
    seen: list[str] = []
    with announcer_process(
        server, "--out-dir", str(tmp_path), "--no-play", "--voice", "no-such-voice"
    ) as lines:
        wait_for_line(lines, "语音引擎不可用", seen)
        wait_for_line(lines, "已连接服务器", seen)

        async def call() -> str:
            kiosk = QueueClient(server.base_url, token=server.accounts.kiosk_token)
            async with kiosk, clerk_at(server.base_url, "clerk7", 7) as clerk:
                ticket = await kiosk.issue_ticket("enterprise")
                await clerk.call_next(7)
                return ticket.number

        number = asyncio.run(call())
        wait_for_line(lines, f"叫号（无语音）：请{number}号到7号窗口办理", seen)
    assert not list(tmp_path.glob("*.wav"))


WINDOWS = (2, 3, 4, 5, 6, 8)
"""Windows that take `general` tickets, with the clerks signed in to them."""
ROUNDS = 30
RECALL_EVERY = 5
"""Every fifth round, each window also recalls its ticket: 180 calls + 36 recalls."""


EXPECTED = ROUNDS * len(WINDOWS) + len(range(0, ROUNDS, RECALL_EVERY)) * len(WINDOWS)


async def _bursts(
    server: LiveServer, speech: SpeechWorker, out: Path
) -> tuple[set[str], list[Heard], list[str]]:
    heard: list[Heard] = []
    all_heard = asyncio.Event()

    def hear(item: Heard) -> None:
        heard.append(item)
        if len(heard) == EXPECTED:
            all_heard.set()

    reports: list[str] = []
    announcer = Announcer(
        options=AnnouncerOptions(out_dir=out, play=False),
        synthesiser=speech,
        player=None,
        work_dir=out,
        report=reports.append,
        heard=hear,
    )
    said: set[str] = set()
    kiosk = QueueClient(server.base_url, token=server.accounts.kiosk_token)
    async with (
        QueueClient(server.base_url, token=server.accounts.board_token) as board,
        kiosk,
        contextlib.AsyncExitStack() as stack,
    ):
        running = asyncio.create_task(announcer.run(board))
        await wait_until(lambda: "已连接服务器" in reports, "the announcer's connection")
        clerks = [
            await stack.enter_async_context(clerk_at(server.base_url, f"clerk{index}", window_no))
            for index, window_no in enumerate(WINDOWS, start=1)
        ]
        for _ in range(ROUNDS * len(WINDOWS)):
            await kiosk.issue_ticket("general")
        for round_no in range(ROUNDS):
            calling = zip(clerks, WINDOWS, strict=True)
            tickets = await asyncio.gather(*(clerk.call_next(number) for clerk, number in calling))
            assert all(ticket is not None for ticket in tickets)
            said.update(f"{ticket.number}" for ticket in tickets if ticket is not None)
            if round_no % RECALL_EVERY == 0:
                recalling = zip(clerks, tickets, strict=True)
                await asyncio.gather(*(clerk.recall(t.id) for clerk, t in recalling if t))
            for clerk, ticket in zip(clerks, tickets, strict=True):
                assert ticket is not None
                await clerk.start(ticket.id)
                await clerk.finish(ticket.id)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_heard.wait(), 60)
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    return said, heard, reports


def test_two_hundred_calls_in_bursts_are_all_heard(
    server: LiveServer, speech: SpeechWorker, tmp_path: Path
) -> None:
    said, heard, reports = asyncio.run(_bursts(server, speech, tmp_path))
    failures = [line for line in reports if "失败" in line or "出错" in line]
    assert len(heard) == EXPECTED == 216, failures
    assert {item.announcement.number for item in heard} == said
    assert sum(item.announcement.recall for item in heard) == 36
    for path in {item.path for item in heard}:
        assert voiced_seconds(read_wav(path)) > 1.0, path.name
    assert not failures


class FailingFirst:
    """The real speech worker, but every first attempt at a phrase fails as espeak's did."""

    def __init__(self, worker: SpeechWorker) -> None:
        self.worker = worker
        self.seen: set[str] = set()

    def render(self, text: str, path: Path, *, rate: int) -> "Future[Path]":
        if text in self.seen:
            return self.worker.render(text, path, rate=rate)
        self.seen.add(text)
        failed: Future[Path] = Future()
        failed.set_exception(SpeechUnavailable("语音引擎没有输出声音"))
        return failed


def test_a_failed_render_is_reported_and_tried_again(
    server: LiveServer, speech: SpeechWorker, tmp_path: Path
) -> None:
    async def scenario() -> tuple[list[Heard], list[str], str]:
        heard: list[Heard] = []
        reports: list[str] = []
        announcer = Announcer(
            options=AnnouncerOptions(out_dir=tmp_path, play=False),
            synthesiser=FailingFirst(speech),
            player=None,
            work_dir=tmp_path,
            report=reports.append,
            heard=heard.append,
        )
        kiosk = QueueClient(server.base_url, token=server.accounts.kiosk_token)
        async with QueueClient(server.base_url, token=server.accounts.board_token) as board:
            running = asyncio.create_task(announcer.run(board))
            await wait_until(lambda: "已连接服务器" in reports, "the announcer's connection")
            async with kiosk, clerk_at(server.base_url, "clerk1", 2) as clerk:
                ticket = await kiosk.issue_ticket("general")
                await clerk.call_next(2)
                await wait_until(lambda: len(heard) == 1, "the call heard")
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        return heard, reports, ticket.number

    heard, reports, number = asyncio.run(scenario())
    assert (
        f"叫号（语音失败：语音引擎没有输出声音；第 1 次，重试）：请{number}号到2号窗口办理"
        in reports
    )
    assert voiced_seconds(read_wav(heard[0].path)) > 1.0
    assert any(line.startswith(f"叫号：请{number}号到2号窗口办理（叫号后 ") for line in reports)
