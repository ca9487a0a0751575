"""Speech through pyttsx3 and the espeak-ng 1.52 bundled by `espeakng-loader`.

Debian 12's espeak-ng 1.51 reads Mandarin wrongly; the PyPI package `espeakng-loader`
ships 1.52 and its data. pyttsx3's espeak driver opens `libespeak-ng.so.1` by name, so we
load the bundled library (same soname) first: the dynamic loader then hands pyttsx3 the copy
already in the process. `ESPEAK_DATA_PATH` points espeak at the bundled voices.

pyttsx3 is not thread-safe: one `SpeechWorker` thread owns the engine and renders each
phrase to a WAV file with `save_to_file` (never `say()`, which fails silently without a
sound card); callers get a `Future`. espeak-ng synthesises in its own thread, and pyttsx3's
`runAndWait` may return before the file is written (always on the first phrase), so the
worker also waits for the driver's "finished-utterance" notice.

pyttsx3 2.99's driver starts each phrase with `stop()`, which cancels whatever espeak is busy
with (`espeak_IsPlaying`) and leaves a `_stopping` flag that its loop then acts on: it
cancels the *new* phrase and sends a second, `completed=False` notice. espeak is busy for a
moment after the notice (it comes from inside espeak's callback, before it returns) and after
a rate change (espeak queues parameter changes like phrases), so a phrase started then was
lost ("没有输出声音") or ended by the stale notice. The worker therefore waits until espeak is
idle before each phrase, after a rate change and after the phrase, and counts a phrase done
only when a `completed=True` notice came for it.
"""

import contextlib
import ctypes
import io
import logging
import os
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

DEFAULT_VOICE = "cmn"
START_TIMEOUT_SECONDS = 30.0
RENDER_TIMEOUT_SECONDS = 30.0
IDLE_POLL_SECONDS = 0.002


class SpeechUnavailable(Exception):
    """The speech engine cannot start or cannot render; the message says why."""


def bundled_espeak() -> ctypes.CDLL:
    """espeakng-loader's espeak-ng library, loaded globally (pyttsx3 then gets this copy)."""
    import espeakng_loader  # type: ignore[import-untyped]

    os.environ.setdefault("ESPEAK_DATA_PATH", espeakng_loader.get_data_path())
    return ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)


def load_bundled_espeak() -> str:
    """Load espeakng-loader's espeak-ng before pyttsx3 looks for one; returns its version."""
    library = bundled_espeak()
    library.espeak_Info.restype = ctypes.c_char_p
    version: bytes = library.espeak_Info(None)
    return version.decode()


def _voice_id(engine: Any, wanted: str) -> str:
    """The engine's id of the voice named `wanted` ("cmn" → "sit/cmn")."""
    ids = [str(voice.id) for voice in engine.getProperty("voices")]
    for voice_id in ids:
        if voice_id == wanted or voice_id.rsplit("/", 1)[-1] == wanted:
            return voice_id
    raise SpeechUnavailable(f"语音引擎没有 {wanted!r} 语音")


class Synthesiser(Protocol):
    def render(self, text: str, path: Path, *, rate: int) -> "Future[Path]":
        """Render `text` as a WAV file at `path`; the future fails with SpeechUnavailable."""


@dataclass(frozen=True, slots=True)
class _Job:
    text: str
    path: Path
    rate: int
    done: "Future[Path]"


class SpeechWorker:
    """The one thread that owns the pyttsx3 engine; `render` queues a phrase for it."""

    def __init__(self, *, voice: str = DEFAULT_VOICE) -> None:
        self.voice = voice
        self.version = ""
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, name="tts-worker", daemon=True)
        self._notices: queue.SimpleQueue[bool] = queue.SimpleQueue()
        """The `completed` flag of each "finished-utterance" notice, from espeak's thread."""
        self._espeak: ctypes.CDLL | None = None
        self._rate: int | None = None

    def start(self) -> None:
        """Start the engine in its thread; raises SpeechUnavailable when it cannot."""
        self._thread.start()
        try:
            self._ready.result(timeout=START_TIMEOUT_SECONDS)
        except TimeoutError as error:
            raise SpeechUnavailable("语音引擎启动超时") from error

    def render(self, text: str, path: Path, *, rate: int) -> "Future[Path]":
        done: Future[Path] = Future()
        if not self._thread.is_alive():
            done.set_exception(SpeechUnavailable("语音引擎未运行"))
        else:
            self._jobs.put(_Job(text, path, rate, done))
        return done

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=10)

    def _start_engine(self) -> Any:
        self.version = load_bundled_espeak()
        self._espeak = bundled_espeak()
        import pyttsx3  # type: ignore[import-untyped]

        engine = pyttsx3.init("espeak")
        engine.connect(
            "finished-utterance",
            lambda completed=True, **_: self._notices.put(bool(completed)),
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        self._wait_until_idle(deadline)  # the driver's own rate and volume settings
        engine.setProperty("voice", _voice_id(engine, self.voice))
        with contextlib.redirect_stdout(io.StringIO()):
            engine.runAndWait()  # applies the voice; leaves the driver idle and not busy
        self._wait_until_idle(deadline)
        return engine

    def _run(self) -> None:
        try:
            engine = self._start_engine()
        except SpeechUnavailable as error:
            self._ready.set_exception(error)
            return
        except Exception as error:
            self._ready.set_exception(SpeechUnavailable(f"语音引擎无法启动：{error!r}"))
            return
        log.info("speech engine ready: espeak-ng %s, voice %s", self.version, self.voice)
        self._ready.set_result(None)
        while (job := self._jobs.get()) is not None:
            try:
                job.done.set_result(self._render(engine, job))
            except Exception as error:
                job.done.set_exception(SpeechUnavailable(f"语音合成失败：{error!r}"))

    def _wait_until_idle(self, deadline: float) -> None:
        """Until espeak has returned from its last callback (see the module docstring)."""
        assert self._espeak is not None
        while self._espeak.espeak_IsPlaying():
            if time.monotonic() > deadline:
                raise SpeechUnavailable("语音引擎一直忙碌")
            time.sleep(IDLE_POLL_SECONDS)

    def _set_rate(self, engine: Any, rate: int, deadline: float) -> None:
        """espeak queues a parameter change like a phrase: wait until it is applied, or the
        driver's `stop()` at the start of the phrase would see espeak busy and cancel."""
        if rate != self._rate:
            engine.setProperty("rate", rate)
            self._rate = rate
            self._wait_until_idle(deadline)

    def _render(self, engine: Any, job: _Job) -> Path:
        deadline = time.monotonic() + RENDER_TIMEOUT_SECONDS
        self._wait_until_idle(deadline)
        while not self._notices.empty():
            log.warning("stale finished-utterance notice dropped: %s", self._notices.get())
        job.path.unlink(missing_ok=True)
        self._set_rate(engine, job.rate, deadline)
        engine.save_to_file(job.text, str(job.path))
        with contextlib.redirect_stdout(io.StringIO()):  # the driver prints "Audio saved"
            engine.runAndWait()
            try:
                notices = [self._notices.get(timeout=max(0.0, deadline - time.monotonic()))]
            except queue.Empty as error:
                raise SpeechUnavailable("语音合成超时") from error
            self._wait_until_idle(deadline)  # every notice about this phrase has been sent
        while not self._notices.empty():
            notices.append(self._notices.get())
        if not any(notices):
            raise SpeechUnavailable("语音合成被取消")
        if not job.path.exists() or job.path.stat().st_size <= 44:
            raise SpeechUnavailable("语音引擎没有输出声音")
        return job.path
