"""The voice announcer: every call and recall spoken, one announcement at a time, in order.

One task reads the live feed and only queues calls, so a slow speaker never holds up the
websocket; another takes them from the queue: the backlog policy (`backlog.py`) says what to
say next, the speech worker thread renders it (a failed render is reported and retried), the
chime and repeats are added, the WAV written and played, then the next.
"""

import asyncio
import contextlib
import logging
import re
import tempfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from display_board.voice.backlog import (
    BATCH_GAP_SECONDS,
    Durations,
    Form,
    PendingCall,
    Style,
    Utterance,
    fast_rate,
    next_utterance,
)
from display_board.voice.player import CommandPlayer, PlaybackFailed, Player
from display_board.voice.speech import SpeechUnavailable, SpeechWorker, Synthesiser
from display_board.voice.text import call_speech, call_speech_short, call_text
from display_board.voice.wav import Pcm, announcement, chime, read_wav, silence, write_wav
from queue_server.client import ConnectionState, QueueClient, SubscriptionItem
from queue_server.domain.clock import Clock, SystemClock
from queue_server.protocol import (
    BoardSettingsPublic,
    EventMessage,
    EventType,
    SnapshotMessage,
)

log = logging.getLogger(__name__)

SPOKEN_EVENTS = frozenset({EventType.TICKET_CALLED, EventType.TICKET_RECALLED})
FILE_INDEX = re.compile(r"^(\d{4,})-")
RENDER_ATTEMPTS = 3


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
    short_speech: str
    """In a backlog, several in one announcement: A 零零一号到十二号窗口."""
    called_at: datetime

    @property
    def label(self) -> str:
        return "重呼" if self.recall else "叫号"


@dataclass(frozen=True, slots=True)
class Heard:
    """One call spoken: in which file, how long after the call it starts being heard."""

    announcement: Announcement
    path: Path
    delay_seconds: float
    form: Form


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
        short_speech=call_speech_short(number=ticket.number, window_no=ticket.window_no),
        called_at=event.at,
    )


def file_name(index: int, item: Announcement, *, more: int = 0) -> str:
    """ "0003-A001-w12.wav", "0004-A001-w12-recall.wav", "0005-A002-w03+3.wav" (with the
    next three calls in one announcement): sorted by name is spoken order."""
    suffix = ("-recall" if item.recall else "") + (f"+{more}" if more else "")
    return f"{index:04d}-{item.number}-w{item.window_no:02d}{suffix}.wav"


def expected_durations(style: "VoiceStyle") -> Durations:
    """Until renders tell better: espeak's cmn voice says the default phrase in ≈ 690/rate s."""
    quick = fast_rate(style.rate)
    return Durations(
        phrase=690 / style.rate,
        fast_phrase=690 / quick,
        short_phrase=500 / quick,
        chime=chime(rate=22050).seconds,
        pause=style.pause_seconds,
    )


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
    calls are still followed and reported as text. `player` None means write files only.
    `heard` is told of every call spoken."""

    def __init__(
        self,
        *,
        options: AnnouncerOptions,
        synthesiser: Synthesiser | None,
        player: Player | None,
        work_dir: Path,
        report: Callable[[str], None],
        heard: Callable[[Heard], None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.options = options
        self.synthesiser = synthesiser
        self.player = player
        self.work_dir = work_dir
        self.report = report
        self.heard = heard
        self.clock: Clock = clock or SystemClock()
        self.template = "请{number}号到{window}号窗口办理"
        self.style = VoiceStyle()
        self.durations = expected_durations(self.style)
        self.pending: deque[Announcement] = deque()
        self._arrived = asyncio.Event()
        self._index = next_file_index(options.out_dir) if options.out_dir else 1
        self._renders = 0

    async def run(self, client: QueueClient) -> None:
        """Follow the feed and speak until cancelled."""
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.speak_queued())
            tasks.create_task(self.follow(client))

    async def follow(self, client: QueueClient) -> None:
        async with client.subscribe() as subscription:
            async for item in subscription:
                self.receive(item, now=self.clock.now())

    def receive(self, item: SubscriptionItem, *, now: datetime) -> None:
        if isinstance(item, ConnectionState):
            if item.connected:
                self.report("已连接服务器")
            else:
                self.report(f"与服务器的连接中断：{item.error}；{item.retry_in or 0:.1f} 秒后重连")
        elif isinstance(item, SnapshotMessage):
            self.template = item.hall.call_template
            style = VoiceStyle.of(item.hall.board, self.options)
            if style != self.style:
                self.style = style
                self.durations = expected_durations(style)
        elif isinstance(item, EventMessage):
            wanted = announcement_for(
                item,
                template=self.template,
                windows=self.options.windows,
                now=now,
                max_age_seconds=self.options.max_age_seconds,
            )
            if wanted is not None:
                self.pending.append(wanted)
                self._arrived.set()
            elif item.type in SPOKEN_EVENTS and item.ticket and item.ticket.window_no:
                self.report(f"不播报 {item.ticket.number} → {item.ticket.window_no} 号窗口")

    def next_utterance(self) -> Utterance:
        style = self.style
        return next_utterance(
            [PendingCall(called_at=item.called_at) for item in self.pending],
            now=self.clock.now(),
            style=Style(repeats=style.repeats, chime=style.chime, rate=style.rate),
            durations=self.durations,
        )

    async def speak_queued(self) -> None:
        while True:
            if not self.pending:
                self._arrived.clear()
                await self._arrived.wait()
            utterance = self.next_utterance()
            items = [self.pending.popleft() for _ in range(utterance.count)]
            try:
                await self.speak(items, utterance)
            except Exception:
                log.exception("announcement of %s failed", ", ".join(i.number for i in items))
                numbers = "、".join(item.number for item in items)
                self.report(f"播报 {numbers} 时出错，已跳过（详见日志）")

    async def render(self, item: Announcement, utterance: Utterance) -> Pcm | None:
        """The call's phrase as sound, tried up to RENDER_ATTEMPTS times; None (reported)
        when every attempt failed."""
        assert self.synthesiser is not None
        text = item.short_speech if utterance.short else item.speech
        for attempt in range(1, RENDER_ATTEMPTS + 1):
            self._renders += 1
            speech_file = self.work_dir / f"speech-{item.seq}-{self._renders}.wav"
            try:
                await asyncio.wrap_future(
                    self.synthesiser.render(text, speech_file, rate=utterance.rate)
                )
                sound = read_wav(speech_file)
            except SpeechUnavailable as error:
                again = "重试" if attempt < RENDER_ATTEMPTS else "放弃，未能播报"
                self.report(
                    f"{item.label}（语音失败：{error}；第 {attempt} 次，{again}）：{item.text}"
                )
                continue
            finally:
                speech_file.unlink(missing_ok=True)
            self._learn(utterance, sound.seconds)
            return sound
        return None

    def _learn(self, utterance: Utterance, seconds: float) -> None:
        """Follow the engine's real phrase lengths (a moving average) for the policy."""
        field = {Form.BATCH: "short_phrase", Form.FAST: "fast_phrase"}.get(utterance.form, "phrase")
        old: float = getattr(self.durations, field)
        self.durations = replace(self.durations, **{field: 0.7 * old + 0.3 * seconds})

    async def speak(self, items: list[Announcement], utterance: Utterance) -> None:
        """Render, assemble, write and play one announcement; failures are reported."""
        if self.synthesiser is None:
            for item in items:
                self.report(f"{item.label}（无语音）：{item.text}")
            return
        rendered = [(item, await self.render(item, utterance)) for item in items]
        parts = [(item, sound) for item, sound in rendered if sound is not None]
        if not parts:
            return
        style = self.style
        first = parts[0][1]
        sound = chime(rate=first.rate) if utterance.chime else Pcm(b"", first.rate)
        starts: list[float] = []
        for _, phrase in parts:
            if starts:
                sound = sound + silence(BATCH_GAP_SECONDS, rate=first.rate)
            starts.append(sound.seconds)
            sound = sound + announcement(
                phrase,
                repeats=utterance.repeats,
                pause_seconds=style.pause_seconds,
                with_chime=False,
            )
        folder = self.options.out_dir or self.work_dir
        target = folder / file_name(self._index, parts[0][0], more=len(parts) - 1)
        self._index += 1
        write_wav(target, sound)
        playing_from = self.clock.now()
        shortened = {
            Form.FULL: "",
            Form.ONCE: "，积压：只播一遍",
            Form.FAST: "，积压：快读一遍",
            Form.BATCH: f"，积压：{len(parts)} 个合并",
        }[utterance.form]
        for (item, _), offset in zip(parts, starts, strict=True):
            delay = max(0.0, (playing_from - item.called_at).total_seconds() + offset)
            self.report(
                f"{item.label}：{item.text}（叫号后 {delay:.1f} 秒播出{shortened}；"
                f"{sound.seconds:.1f} 秒）→ {target.name}"
            )
            if self.heard is not None:
                self.heard(Heard(item, target, delay, utterance.form))
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
