"""The bundled espeak-ng 1.52 is the one loaded, it reads Mandarin as Mandarin, and the speech
worker renders every phrase of a quick series (none lost to the previous phrase's ending)."""

import subprocess
import sys
import textwrap
from pathlib import Path

from display_board.voice.speech import SpeechWorker
from display_board.voice.wav import read_wav
from tests.display_board.wav_analysis import voiced_seconds

PROBE = textwrap.dedent(
    """
    import ctypes
    from display_board.voice.speech import load_bundled_espeak

    print(load_bundled_espeak())
    library = ctypes.CDLL("libespeak-ng.so.1")  # the name pyttsx3 opens
    library.espeak_Initialize(2, 0, None, 0)
    assert library.espeak_SetVoiceByName(b"cmn") == 0
    library.espeak_TextToPhonemes.restype = ctypes.c_char_p
    library.espeak_TextToPhonemes.argtypes = [
        ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int
    ]
    text = ctypes.c_char_p("请A 零零一号到十二号窗口办理".encode())
    print(library.espeak_TextToPhonemes(ctypes.pointer(text), 1, 2).decode())
    """
)


def test_pyttsx3_finds_the_bundled_espeak_and_it_speaks_mandarin() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    version, phonemes = result.stdout.splitlines()[:2]
    assert version.startswith("1.52")
    assert "chinese" not in phonemes.lower() and "tʃˈaɪniːz" not in phonemes
    assert "lˈiɜŋ lˈiɜŋ" in phonemes  # 零零, with its tone
    assert "(en)ˈeɪ(cmn)" in phonemes  # the letter A, read as a letter


def test_two_hundred_phrases_in_a_row_all_come_out_as_speech(tmp_path: Path) -> None:
    """pyttsx3's espeak driver reports a phrase finished from inside espeak's callback, while
    espeak still counts as busy; a phrase started at that moment used to be cancelled."""
    worker = SpeechWorker()
    worker.start()
    try:
        futures = [
            worker.render(
                f"请A 零{index % 10}{index % 7}号到十二号窗口办理",
                tmp_path / f"{index:03d}.wav",
                rate=150 + index % 3 * 30,
            )
            for index in range(200)
        ]
        failures = [(index, future.exception(timeout=60)) for index, future in enumerate(futures)]
    finally:
        worker.close()
    assert [(index, error) for index, error in failures if error is not None] == []
    voiced = [voiced_seconds(read_wav(tmp_path / f"{index:03d}.wav")) for index in range(200)]
    assert min(voiced) > 1.0, voiced
