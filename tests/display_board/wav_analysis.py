"""What a WAV file holds, for tests: how loud it is and how much of it is voiced."""

import math
from array import array

import numpy as np

from display_board.voice.wav import PEAK, Pcm

FRAME_SECONDS = 0.02
VOICED_LOUDNESS = 0.02
"""Root mean square above which a 20 ms frame counts as sound (speech peaks near 0.1–0.3)."""


def loudness(pcm: Pcm) -> float:
    """Root mean square of the samples, 0.0 (silence) to 1.0."""
    samples = array("h", pcm.frames)
    if not samples:
        return 0.0
    return math.sqrt(sum(sample * sample for sample in samples) / len(samples)) / PEAK


def voiced_seconds(pcm: Pcm) -> float:
    """Seconds of 20 ms frames louder than VOICED_LOUDNESS: 0.0 for silence or an empty file."""
    samples = np.frombuffer(pcm.frames, dtype="<i2").astype(np.float64) / PEAK
    size = round(FRAME_SECONDS * pcm.rate)
    count = len(samples) // size
    if count == 0:
        return 0.0
    frames = samples[: count * size].reshape(count, size)
    rms = np.sqrt((frames * frames).mean(axis=1))
    return float((rms > VOICED_LOUDNESS).sum()) * FRAME_SECONDS
