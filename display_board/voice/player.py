"""Playing a finished announcement: a command such as `aplay -q`, or nothing at all."""

import asyncio
import shlex
from pathlib import Path
from typing import Protocol


class PlaybackFailed(Exception):
    """The player could not play the file (no sound device, no player program)."""


class Player(Protocol):
    async def play(self, path: Path) -> None:
        """Return when the file has been played; raise PlaybackFailed when it could not be."""


class CommandPlayer:
    """Plays with an external program (`aplay -q` on Linux), which works without a desktop
    session and holds the sound device only while it plays."""

    def __init__(self, command: str) -> None:
        self.command = shlex.split(command)
        if not self.command:
            raise ValueError("empty player command")

    async def play(self, path: Path) -> None:
        try:
            process = await asyncio.create_subprocess_exec(
                *self.command,
                str(path),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as error:
            raise PlaybackFailed(f"无法启动播放程序 {self.command[0]}：{error}") from error
        _, errors = await process.communicate()
        if process.returncode != 0:
            reason = errors.decode(errors="replace").strip() or f"退出码 {process.returncode}"
            raise PlaybackFailed(f"播放失败：{reason}")
