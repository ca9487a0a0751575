"""Setting the hall up over HTTP: clerks signed in to windows, tickets waiting."""

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from benchmarks.server import RunningServer, ServeProcess

REQUEST_TIMEOUT_SECONDS = 30.0
SETUP_CONCURRENCY = 8


class UnexpectedAnswer(RuntimeError):
    """The server answered a setup or benchmark request with an unexpected status."""


def expect(response: httpx.Response, *statuses: int) -> httpx.Response:
    if response.status_code not in statuses:
        raise UnexpectedAnswer(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}: {response.text[:300]}"
        )
    return response


def client_for(server: ServeProcess, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=REQUEST_TIMEOUT_SECONDS,
        trust_env=False,  # loopback only: never through a proxy from the environment
    )


async def login_token(server: RunningServer, clerk: str) -> str:
    async with httpx.AsyncClient(
        base_url=server.base_url, timeout=REQUEST_TIMEOUT_SECONDS, trust_env=False
    ) as anon:
        response = expect(
            await anon.post(
                "/api/auth/login", json={"username": clerk, "password": server.password}
            ),
            200,
        )
    token: str = response.json()["token"]
    return token


async def signed_in(server: ServeProcess, token: str, window_no: int) -> httpx.AsyncClient:
    """A client holding `token`, signed in to `window_no`."""
    client = client_for(server, token)
    try:
        expect(await client.post(f"/api/windows/{window_no}/sign-in"), 200)
    except BaseException:
        await client.aclose()
        raise
    return client


async def issue_tickets(
    server: ServeProcess, categories: Sequence[str], *, kiosk_token: str | None = None
) -> list[int]:
    """Issue one ticket per entry of `categories`, a few at a time, as `kiosk_token` (by
    default the seeded hall's kiosk); returns their ids."""
    if kiosk_token is None:
        if not isinstance(server, RunningServer):
            raise TypeError("a server of a city needs the kiosk token of one of its halls")
        kiosk_token = server.accounts.kiosk_token
    semaphore = asyncio.Semaphore(SETUP_CONCURRENCY)
    async with client_for(server, kiosk_token) as kiosk:

        async def issue(category: str) -> int:
            async with semaphore:
                response = expect(
                    await kiosk.post("/api/tickets", json={"category": category}), 201
                )
            ticket_id: int = response.json()["id"]
            return ticket_id

        return list(await asyncio.gather(*(issue(category) for category in categories)))


async def serve_through(client: httpx.AsyncClient, ticket_id: int) -> None:
    """Start and finish a called ticket, which frees its window for the next call."""
    expect(await client.post(f"/api/tickets/{ticket_id}/start"), 200)
    expect(await client.post(f"/api/tickets/{ticket_id}/finish"), 200)


def query_database(database_file: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the server's SQLite file directly (read-only), to check what was stored."""
    connection = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
    try:
        return list(connection.execute(sql).fetchall())
    finally:
        connection.close()
