"""The backlog policy: full announcements for a lone call, shorter ones while calls queue."""

from datetime import UTC, datetime, timedelta

import pytest

from display_board.voice.backlog import (
    BATCH_GAP_SECONDS,
    Durations,
    Form,
    PendingCall,
    Style,
    Utterance,
    next_utterance,
    worst_wait,
)

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
STYLE = Style(repeats=2, chime=True, rate=150)
DURATIONS = Durations(phrase=4.6, fast_phrase=3.2, short_phrase=2.3, chime=1.45, pause=0.8)
"""Chime + the phrase twice + a pause: 11.45 s, as measured with espeak-ng 1.52."""


def calls(count: int, *, waited: float = 0.0) -> list[PendingCall]:
    return [PendingCall(called_at=NOW - timedelta(seconds=waited)) for _ in range(count)]


def plan(count: int, *, waited: float = 0.0) -> Utterance:
    return next_utterance(calls(count, waited=waited), now=NOW, style=STYLE, durations=DURATIONS)


def test_a_lone_call_is_said_as_the_hall_configures_it() -> None:
    assert plan(1) == Utterance(Form.FULL, count=1, repeats=2, chime=True, rate=150)
    assert plan(1, waited=100) == Utterance(Form.FULL, count=1, repeats=2, chime=True, rate=150)


def test_a_short_queue_still_gets_full_announcements() -> None:
    assert plan(2).form is Form.FULL  # the second is heard 12.9 s after its call
    assert plan(3).form is Form.FULL


@pytest.mark.parametrize(
    ("count", "form"),
    [
        (3, Form.FULL),  # the third heard 24.4 s after its call
        (4, Form.ONCE),
        (7, Form.ONCE),
        (8, Form.FAST),
        (10, Form.FAST),
        (11, Form.BATCH),
    ],
)
def test_the_longer_the_queue_the_shorter_the_announcement(count: int, form: Form) -> None:
    assert plan(count).form is form


def test_shortened_forms_drop_the_chime_and_the_repeat() -> None:
    assert plan(4) == Utterance(Form.ONCE, count=1, repeats=1, chime=False, rate=150)
    assert plan(8) == Utterance(Form.FAST, count=1, repeats=1, chime=False, rate=218)


def test_a_batch_takes_at_most_six_calls() -> None:
    assert plan(12) == Utterance(Form.BATCH, count=6, repeats=1, chime=False, rate=218)
    assert plan(12).short
    assert not plan(8).short


def test_calls_that_already_waited_shorten_sooner() -> None:
    assert plan(2, waited=20).form is Form.ONCE
    assert plan(2, waited=28).form is Form.BATCH


def test_the_predicted_worst_wait_adds_up_the_queue() -> None:
    full = plan(1)
    assert worst_wait(calls(3), full, now=NOW, durations=DURATIONS) == pytest.approx(
        1.45 + 2 * (1.45 + 2 * 4.6 + 0.8)
    )


def test_twelve_simultaneous_calls_are_all_heard_within_about_thirty_seconds() -> None:
    """Replays the policy: each announcement plays for its predicted length, then the next."""
    pending = calls(12)
    clock = NOW
    heard: list[float] = []
    while pending:
        utterance = next_utterance(pending, now=clock, style=STYLE, durations=DURATIONS)
        lead = DURATIONS.chime if utterance.chime else 0.0
        phrase = {
            Form.FULL: DURATIONS.phrase,
            Form.ONCE: DURATIONS.phrase,
            Form.FAST: DURATIONS.fast_phrase,
            Form.BATCH: DURATIONS.short_phrase,
        }[utterance.form]
        for index in range(utterance.count):
            start = lead + index * (phrase + BATCH_GAP_SECONDS)
            heard.append((clock - pending[index].called_at).total_seconds() + start)
        played = lead + utterance.count * phrase * utterance.repeats
        played += (utterance.repeats - 1) * DURATIONS.pause
        played += (utterance.count - 1) * BATCH_GAP_SECONDS
        clock += timedelta(seconds=played)
        pending = pending[utterance.count :]
    assert len(heard) == 12
    assert max(heard) <= 30.0, heard


def test_nothing_pending_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="nothing pending"):
        plan(0)
