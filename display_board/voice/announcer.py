"""The voice announcer: every call and recall spoken once, one at a time, in arrival order.

One task reads the live feed and only queues announcements, so a slow speaker never holds up
the websocket; another takes them from the queue one by one: render the phrase (the speech
worker thread), add the chime and the repeats, write the WAV, play it, then the next.
"""

import asyncio
import contextlib
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from display_board.voice.player import CommandPlayer, PlaybackFailed, Player
from display_board.voice.speech import SpeechUnavailable, SpeechWorker, Synthesiser
from display_board.voice.text import call_speech, call_text
from display_board.voice.wav import announcement, read_wav, write_wav
from queue_server.client import ConnectionState, QueueClient, SubscriptionItem
from queue_server.protocol import (
    BoardSettingsPublic,
    EventMessage,
    EventType,
    SnapshotMessage,
)

log = logging.getLogger(__name__)

SPOKEN_EVENTS = frozenset({EventType.TICKET_CALLED, EventType.TICKET_RECALLED})
FILE_INDEX = re.compile(r"^(\d{4,})-")


@dataclass(frozen=True, slots=True)
class AnnouncerOptions:
    windows: frozenset[int] | None = None
    """Only calls to these windows (a speaker zone); None: every window."""
    out_dir: Path | None = None
    play: bool = True
    player_command: str = "aplay -q"
    repeats: int | None = None
    """None: the hall configuration's `[voice] repeats`."""
    chime: bool | None = None
    voice: str = "cmn"
    max_age_seconds: float = 120.0


@dataclass(frozen=True, slots=True)
class Announcement:
    seq: int
    number: str
    window_no: int
    recall: bool
    text: str
    """As the boards show it: 请A001号到12号窗口办理."""
    speech: str
    """As the voice reads it: 请A 零零一号到十二号窗口办理."""


@dataclass(frozen=True, slots=True)
class VoiceStyle:
    repeats: int = 2
    chime: bool = True
    rate: int = 150
    pause_seconds: float = 0.8

    @classmethod
    def of(cls, settings: BoardSettingsPublic, options: AnnouncerOptions) -> "VoiceStyle":
        return cls(
            repeats=options.repeats or settings.announce_repeats,
            chime=settings.announce_chime if options.chime is None else options.chime,
            rate=settings.announce_rate,
            pause_seconds=settings.announce_pause_seconds,
        )


def announcement_for(
    event: EventMessage,
    *,
    template: str,
    windows: frozenset[int] | None,
    now: datetime,
    max_age_seconds: float,
) -> Announcement | None:
    """The announcement an event asks for, or None: not a call, another speaker zone's
    window, or a call so old (missed while offline) that nobody is waiting for it any more."""
    ticket = event.ticket
    if event.type not in SPOKEN_EVENTS or ticket is None or ticket.window_no is None:
        return None
    if windows is not None and ticket.window_no not in windows:
        return None
    if (now - event.at).total_seconds() > max_age_seconds:
        return None
    return Announcement(
        seq=event.seq,
        number=ticket.number,
        window_no=ticket.window_no,
        recall=event.type == EventType.TICKET_RECALLED,
        text=call_text(template, number=ticket.number, window_no=ticket.window_no),
        speech=call_speech(template, number=ticket.number, window_no=ticket.window_no),
    )


def file_name(index: int, item: Announcement) -> str:
    """ "0003-A001-w12.wav", "0004-A001-w12-recall.wav": sorted by name is spoken order."""
    suffix = "-recall" if item.recall else ""
    return f"{index:04d}-{item.number}-w{item.window_no:02d}{suffix}.wav"


def next_file_index(folder: Path) -> int:
    """Continue the numbering of files already in `folder`, never overwrite one."""
    indices = [
        int(match.group(1))
        for path in folder.glob("*.wav")
        if (match := FILE_INDEX.match(path.name)) is not None
    ]
    return max(indices, default=0) + 1


class Announcer:
    """Speaks calls from the live feed. `synthesiser` None means speech could not start:
    calls are still followed and reported as text. `player` None means write files only."""

    def __init__(
        self,
        *,
        options: AnnouncerOptions,
        synthesiser: Synthesiser | None,
        player: Player | None,
        work_dir: Path,
        report: Callable[[str], None],
    ) -> None:
        self.options = options
        self.synthesiser = synthesiser
        self.player = player
        self.work_dir = work_dir
        self.report = report
        self.template = "请{number}号到{window}号窗口办理"
        self.style = VoiceStyle()
        self.pending: asyncio.Queue[Announcement] = asyncio.Queue()
        self.spoken: list[Path] = []
        self._index = next_file_index(options.out_dir) if options.out_dir else 1

    async def run(self, client: QueueClient) -> None:
        """Follow the feed and speak until cancelled."""
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.speak_queued())
            tasks.create_task(self.follow(client))

    async def follow(self, client: QueueClient) -> None:
        async with client.subscribe() as subscription:
            async for item in subscription:
                self.receive(item, now=datetime.now(UTC))

    def receive(self, item: SubscriptionItem, *, now: datetime) -> None:
        if isinstance(item, ConnectionState):
            if item.connected:
                self.report("已连接服务器")
            else:
                self.report(f"与服务器的连接中断：{item.error}；{item.retry_in or 0:.1f} 秒后重连")
        elif isinstance(item, SnapshotMessage):
            self.template = item.hall.call_template
            self.style = VoiceStyle.of(item.hall.board, self.options)
        elif isinstance(item, EventMessage):
            wanted = announcement_for(
                item,
                template=self.template,
                windows=self.options.windows,
                now=now,
                max_age_seconds=self.options.max_age_seconds,
            )
            if wanted is not None:
                self.pending.put_nowait(wanted)
            elif item.type in SPOKEN_EVENTS and item.ticket and item.ticket.window_no:
                self.report(f"不播报 {item.ticket.number} → {item.ticket.window_no} 号窗口")

    async def speak_queued(self) -> None:
        while True:
            item = await self.pending.get()
            try:
                await self.speak(item)
            except Exception:
                log.exception("announcement of %s failed", item.number)
                self.report(f"播报 {item.number} 时出错，已跳过（详见日志）")

    async def speak(self, item: Announcement) -> None:
        """Render, assemble, write and play one announcement; failures are reported."""
        label = "重呼" if item.recall else "叫号"
        if self.synthesiser is None:
            self.report(f"{label}（无语音）：{item.text}")
            return
        speech_file = self.work_dir / f"speech-{item.seq}.wav"
        try:
            await asyncio.wrap_future(
                self.synthesiser.render(item.speech, speech_file, rate=self.style.rate)
            )
        except SpeechUnavailable as error:
            self.report(f"{label}（语音失败：{error}）：{item.text}")
            return
        style = self.style
        sound = announcement(
            read_wav(speech_file),
            repeats=style.repeats,
            pause_seconds=style.pause_seconds,
            with_chime=style.chime,
        )
        speech_file.unlink(missing_ok=True)
        folder = self.options.out_dir or self.work_dir
        target = folder / file_name(self._index, item)
        self._index += 1
        write_wav(target, sound)
        self.spoken.append(target)
        self.report(f"{label}：{item.text}（{sound.seconds:.1f} 秒）→ {target.name}")
        if self.player is not None:
            try:
                await self.player.play(target)
            except PlaybackFailed as error:
                self.report(f"无法播放 {target.name}：{error}")
        if self.options.out_dir is None:
            target.unlink(missing_ok=True)


def _print(text: str) -> None:
    print(text, flush=True)


async def run_announcer(
    server: str,
    token: str,
    options: AnnouncerOptions,
    *,
    report: Callable[[str], None] = _print,
) -> None:
    """The `display-board announce` command: start speech, then follow the hall."""
    if options.out_dir is not None:
        options.out_dir.mkdir(parents=True, exist_ok=True)
    synthesiser: SpeechWorker | None = SpeechWorker(voice=options.voice)
    assert synthesiser is not None
    try:
        await asyncio.to_thread(synthesiser.start)
        report(f"语音引擎就绪：espeak-ng {synthesiser.version}，语音 {options.voice}")
    except SpeechUnavailable as error:
        log.error("speech unavailable: %s", error)
        report(f"语音引擎不可用：{error}；叫号仍会显示在此，但不会播报")
        synthesiser = None
    player = CommandPlayer(options.player_command) if options.play else None
    with tempfile.TemporaryDirectory(prefix="yimen-announce-") as work:
        announcer = Announcer(
            options=options,
            synthesiser=synthesiser,
            player=player,
            work_dir=Path(work),
            report=report,
        )
        try:
            async with QueueClient(server, token=token) as client:
                await announcer.run(client)
        finally:
            if synthesiser is not None:
                with contextlib.suppress(Exception):
                    synthesiser.close()
