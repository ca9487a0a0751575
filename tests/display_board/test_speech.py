"""The bundled espeak-ng 1.52 is the one loaded, and it reads Mandarin as Mandarin."""

import subprocess
import sys
import textwrap

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
