"""The backlog policy: what to say next so that no call waits long to be heard.

One announcement (chime, the phrase twice) takes about 11 s and they play one at a time, so
when a dozen windows call at opening time the last call would be heard two minutes later —
after the clerk has marked the ticket 过号. While calls queue up, announcements get shorter,
step by step, until the last call waiting is predicted to be heard within the target:

1. `FULL`: as the hall configures it (chime, `repeats` times, the normal rate);
2. `ONCE`: no chime, said once;
3. `FAST`: no chime, once, at the backlog rate;
4. `BATCH`: several calls in one announcement, each as a short "A 零零一号到十二号窗口", fast.

Pure: a function of the pending calls, the time and the expected durations.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

TARGET_SECONDS = 30.0
"""Heard within this long after the call (a clerk marks 过号 after 120 s)."""
MAX_BATCH = 6
BATCH_GAP_SECONDS = 0.2
"""Between the calls of a batch (espeak already ends each phrase with a short pause)."""
FAST_RATE_FACTOR = 1.45
"""The backlog rate: 150 → 218 words per minute, still clear in espeak's Mandarin."""


class Form(enum.StrEnum):
    FULL = "full"
    ONCE = "once"
    FAST = "fast"
    BATCH = "batch"


@dataclass(frozen=True, slots=True)
class PendingCall:
    called_at: datetime
    """When the clerk called (the event's time)."""


@dataclass(frozen=True, slots=True)
class Durations:
    """Expected seconds of each part, measured from recent renders (estimates)."""

    phrase: float
    """The call template, once, at the normal rate (≈ 4.6 s at 150)."""
    fast_phrase: float
    """The same at the backlog rate (≈ 3.0 s)."""
    short_phrase: float
    """"A 零零一号到十二号窗口" at the backlog rate (≈ 2.3 s)."""
    chime: float
    pause: float
    """Between repeats."""


@dataclass(frozen=True, slots=True)
class Style:
    """The hall's configured announcement."""

    repeats: int
    chime: bool
    rate: int


@dataclass(frozen=True, slots=True)
class Utterance:
    """The next announcement: the first `count` pending calls, said this way."""

    form: Form
    count: int
    repeats: int
    chime: bool
    rate: int

    @property
    def short(self) -> bool:
        """Each call as "A 零零一号到十二号窗口" rather than the hall's full template."""
        return self.form is Form.BATCH


def fast_rate(rate: int) -> int:
    return round(rate * FAST_RATE_FACTOR)


def utterance_for(form: Form, *, style: Style, count: int = 1) -> Utterance:
    if form is Form.FULL:
        return Utterance(form, 1, style.repeats, style.chime, style.rate)
    if form is Form.ONCE:
        return Utterance(form, 1, 1, False, style.rate)
    return Utterance(form, count if form is Form.BATCH else 1, 1, False, fast_rate(style.rate))


def seconds_of(utterance: Utterance, durations: Durations) -> tuple[float, float]:
    """(when its first call starts being said, how long it plays) — for a single call."""
    lead = durations.chime if utterance.chime else 0.0
    phrase = {
        Form.FULL: durations.phrase,
        Form.ONCE: durations.phrase,
        Form.FAST: durations.fast_phrase,
        Form.BATCH: durations.short_phrase,
    }[utterance.form]
    repeats = utterance.repeats
    return lead, lead + repeats * phrase + (repeats - 1) * durations.pause


def worst_wait(
    pending: Sequence[PendingCall], utterance: Utterance, *, now: datetime, durations: Durations
) -> float:
    """The longest call-to-heard wait if every pending call were said as `utterance`."""
    lead, each = seconds_of(utterance, durations)
    if utterance.form is Form.BATCH:
        each = durations.short_phrase + BATCH_GAP_SECONDS
    return max(
        (now - call.called_at).total_seconds() + index * each + lead
        for index, call in enumerate(pending)
    )


def next_utterance(
    pending: Sequence[PendingCall],
    *,
    now: datetime,
    style: Style,
    durations: Durations,
    target_seconds: float = TARGET_SECONDS,
    max_batch: int = MAX_BATCH,
) -> Utterance:
    """What to say next for the head of `pending` (oldest first, at least one call).

    A lone call is always said in full. With a backlog, the least shortened form under which
    every pending call is still heard within `target_seconds` is chosen; when none is, up to
    `max_batch` calls are said in one short announcement.
    """
    if not pending:
        raise ValueError("nothing pending")
    if len(pending) == 1:
        return utterance_for(Form.FULL, style=style)
    for form in (Form.FULL, Form.ONCE, Form.FAST):
        candidate = utterance_for(form, style=style)
        if worst_wait(pending, candidate, now=now, durations=durations) <= target_seconds:
            return candidate
    return utterance_for(Form.BATCH, style=style, count=min(len(pending), max_batch))
