"""Token lookups are cached for a few seconds; revocation still takes effect promptly."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from queue_server.db import Database
from queue_server.domain.enums import Role
from queue_server.models import ApiToken
from queue_server.security import token_digest
from queue_server.services.accounts import Principal
from queue_server.token_cache import TokenCache
from tests.support import live_server

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CLERK = Principal(token_id=7, role=Role.CLERK, name="clerk1", user_id=3)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_hit_is_served_until_the_cache_time_runs_out() -> None:
    clock = FakeMonotonic()
    cache = TokenCache(5.0, monotonic=clock)
    cache.put("secret", CLERK, None)
    assert cache.get("secret", NOW) == CLERK
    assert cache.get("other", NOW) is None
    clock.now += 4.9
    assert cache.get("secret", NOW) == CLERK
    clock.now += 0.2
    assert cache.get("secret", NOW) is None


def test_an_expired_login_is_never_served_from_the_cache() -> None:
    cache = TokenCache(60.0, monotonic=FakeMonotonic())
    cache.put("secret", CLERK, NOW + timedelta(minutes=1))
    assert cache.get("secret", NOW) == CLERK
    assert cache.get("secret", NOW + timedelta(minutes=1)) is None


def test_revoking_here_forgets_at_once_and_a_racing_lookup_is_not_cached() -> None:
    cache = TokenCache(60.0, monotonic=FakeMonotonic())
    cache.put("secret", CLERK, None)
    cache.forget_token_id(CLERK.token_id)
    assert cache.get("secret", NOW) is None
    cache.put("secret", CLERK, None)  # a lookup that read the row before the revocation
    assert cache.get("secret", NOW) is None


def test_zero_seconds_turns_the_cache_off_and_tokens_are_kept_only_as_digests() -> None:
    off = TokenCache(0.0, monotonic=FakeMonotonic())
    off.put("secret", CLERK, None)
    assert off.get("secret", NOW) is None
    on = TokenCache(5.0, monotonic=FakeMonotonic())
    on.put("secret", CLERK, None)
    assert "secret" not in on._entries
    assert token_digest("secret") in on._entries


def test_logout_takes_effect_at_once(tmp_path: Path) -> None:
    with live_server(tmp_path, token_cache_seconds=60) as server:
        client = server.client(server.login("clerk1"))
        assert client.get("/api/auth/me").status_code == 200
        assert client.post("/api/auth/logout").status_code == 204
        assert client.get("/api/auth/me").status_code == 401


def test_a_token_revoked_by_another_process_stops_working_within_the_cache_time(
    tmp_path: Path,
) -> None:
    ttl = 0.5
    with live_server(tmp_path, token_cache_seconds=ttl) as server:
        token = server.login("clerk1")
        client = server.client(token)
        assert client.get("/api/auth/me").status_code == 200  # now cached
        other_process = Database(server.database_url)
        try:

            def revoke(session: Session) -> None:
                record = session.exec(
                    select(ApiToken).where(ApiToken.token_hash == token_digest(token))
                ).one()
                record.revoked_at = datetime.now(UTC)
                session.add(record)

            other_process.write_sync(revoke)
        finally:
            other_process.dispose()
        revoked_at = time.monotonic()
        deadline = revoked_at + 30  # generous: only the bound below is the claim
        while client.get("/api/auth/me").status_code == 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # Refused from the first lookup after the cache time, give or take a slow request.
        assert client.get("/api/auth/me").status_code == 401
