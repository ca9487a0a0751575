"""A benchmark's helper process (the boards, the status pages): started with this source tree
importable, read line by line, and killed if it outlives the block that started it."""

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

RESULT_LINE_LIMIT = 256 * 1024 * 1024
"""The longest line a helper may print: the pages process reports each call's arrivals at
every page of the category on one line."""


async def read_line(stream: asyncio.StreamReader, prefix: str, limit: float) -> str:
    """The first line starting with `prefix`, within `limit` seconds."""

    async def find() -> str:
        while True:
            line = await stream.readline()
            if not line:
                raise RuntimeError(f"the helper process ended before printing {prefix!r}")
            text = line.decode().rstrip("\n")
            if text.startswith(prefix):
                return text

    return await asyncio.wait_for(find(), limit)


def source_root() -> str:
    """Where `benchmarks` can be imported from, ahead of whatever PYTHONPATH held."""
    root = str(Path(__file__).resolve().parent.parent)
    inherited = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{inherited}" if inherited else root


@contextlib.asynccontextmanager
async def child_process(
    module: str,
    *arguments: str,
    first_line: bytes | None = None,
    ready: str,
    ready_timeout: float,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m module arguments`, sent `first_line` on its stdin if given, once it has
    printed a line starting with `ready`; killed if still running when the block ends."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *arguments,
        stdin=asyncio.subprocess.PIPE if first_line is not None else None,
        stdout=asyncio.subprocess.PIPE,
        limit=RESULT_LINE_LIMIT,
        env={**os.environ, "PYTHONPATH": source_root()},
    )
    try:
        if process.stdout is None:
            raise RuntimeError(f"no pipe from {module}")
        if first_line is not None:
            if process.stdin is None:
                raise RuntimeError(f"no pipe to {module}")
            process.stdin.write(first_line)
            await process.stdin.drain()
        await read_line(process.stdout, ready, ready_timeout)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            with contextlib.suppress(Exception):
                await process.wait()
