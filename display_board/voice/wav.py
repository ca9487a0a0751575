"""WAV assembly: the chime, silence, and one announcement's chime + repeated phrase.

Pure functions over 16-bit mono PCM, plus reading and writing files with the `wave` module.
"""

import math
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

SAMPLE_WIDTH = 2
CHANNELS = 1
PEAK = 32767


@dataclass(frozen=True, slots=True)
class Pcm:
    """16-bit mono samples at `rate` Hz, as little-endian bytes."""

    frames: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.frames) / (SAMPLE_WIDTH * self.rate)

    def __add__(self, other: "Pcm") -> "Pcm":
        if other.rate != self.rate:
            raise ValueError(f"sample rates differ: {self.rate} and {other.rate}")
        return Pcm(self.frames + other.frames, self.rate)


def silence(seconds: float, *, rate: int) -> Pcm:
    return Pcm(bytes(SAMPLE_WIDTH * round(seconds * rate)), rate)


def tone(frequency: float, seconds: float, *, rate: int, volume: float = 0.35) -> Pcm:
    """A bell-like tone: a sine with a quick attack and an exponential decay."""
    count = round(seconds * rate)
    attack = max(1, round(0.01 * rate))
    samples = array("h")
    for index in range(count):
        envelope = min(1.0, index / attack) * math.exp(-3.0 * index / count)
        value = volume * envelope * math.sin(2 * math.pi * frequency * index / rate)
        samples.append(round(PEAK * value))
    return Pcm(samples.tobytes(), rate)


def chime(*, rate: int) -> Pcm:
    """ "Ding-dong" (G5 then E5), then a short breath before the words."""
    return tone(784.0, 0.45, rate=rate) + tone(659.3, 0.7, rate=rate) + silence(0.3, rate=rate)


def announcement(speech: Pcm, *, repeats: int, pause_seconds: float, with_chime: bool) -> Pcm:
    """The chime (optional), then the phrase `repeats` times with a pause between."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    result = chime(rate=speech.rate) if with_chime else Pcm(b"", speech.rate)
    for index in range(repeats):
        if index:
            result = result + silence(pause_seconds, rate=speech.rate)
        result = result + speech
    return result


def read_wav(path: Path) -> Pcm:
    with wave.open(str(path), "rb") as source:
        if source.getsampwidth() != SAMPLE_WIDTH or source.getnchannels() != CHANNELS:
            raise ValueError(f"{path}: expected 16-bit mono audio")
        return Pcm(source.readframes(source.getnframes()), source.getframerate())


def write_wav(path: Path, pcm: Pcm) -> None:
    """Write through a temporary name, so a player never sees half a file."""
    partial = path.with_name(path.name + ".part")
    with wave.open(str(partial), "wb") as target:
        target.setnchannels(CHANNELS)
        target.setsampwidth(SAMPLE_WIDTH)
        target.setframerate(pcm.rate)
        target.writeframes(pcm.frames)
    partial.replace(path)
