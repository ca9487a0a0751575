"""Assembling one announcement: chime, the phrase repeated, pauses between."""

from pathlib import Path

import pytest

from display_board.voice.wav import (
    Pcm,
    announcement,
    chime,
    read_wav,
    silence,
    tone,
    write_wav,
)
from tests.display_board.wav_analysis import loudness, voiced_seconds

RATE = 22050


def test_an_announcement_is_chime_then_repeats_with_pauses() -> None:
    speech = tone(440.0, 1.5, rate=RATE)
    sound = announcement(speech, repeats=2, pause_seconds=0.8, with_chime=True)
    expected = chime(rate=RATE).seconds + 2 * 1.5 + 0.8
    assert sound.seconds == pytest.approx(expected, abs=0.001)
    assert sound.frames.endswith(speech.frames)


def test_without_chime_and_once_it_is_just_the_phrase() -> None:
    speech = tone(440.0, 1.0, rate=RATE)
    assert announcement(speech, repeats=1, pause_seconds=0.8, with_chime=False) == speech


def test_repeats_must_be_positive() -> None:
    with pytest.raises(ValueError, match="repeats"):
        announcement(tone(440.0, 0.1, rate=RATE), repeats=0, pause_seconds=0, with_chime=False)


def test_rates_must_match() -> None:
    with pytest.raises(ValueError, match="sample rates differ"):
        _ = silence(0.1, rate=RATE) + silence(0.1, rate=16000)


def test_the_chime_is_audible_and_silence_is_not() -> None:
    assert loudness(chime(rate=RATE)) > 0.05
    assert loudness(silence(1.0, rate=RATE)) == 0.0
    assert loudness(Pcm(b"", RATE)) == 0.0


def test_voiced_seconds_counts_only_the_sound() -> None:
    sound = silence(1.0, rate=RATE) + tone(440.0, 0.5, rate=RATE) + silence(1.0, rate=RATE)
    assert 0.3 < voiced_seconds(sound) <= 0.5  # the tone decays: its tail is quiet
    assert voiced_seconds(silence(2.0, rate=RATE)) == 0.0
    assert voiced_seconds(Pcm(b"", RATE)) == 0.0


def test_wav_files_round_trip(tmp_path: Path) -> None:
    sound = chime(rate=RATE)
    path = tmp_path / "chime.wav"
    write_wav(path, sound)
    assert read_wav(path) == sound
    assert not list(tmp_path.glob("*.part"))
