"""Old retry answers and dead login tokens are pruned; device tokens and fresh rows stay."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from queue_server.app import prepare_database
from queue_server.city import city_of_one
from queue_server.config import load_hall_config
from queue_server.db import Database
from queue_server.domain.enums import Role
from queue_server.models import ApiToken, IdempotentResponse
from queue_server.services.housekeeping import prune

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def test_prune_keeps_what_is_still_useful(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hall.db'}")
    prepare_database(db, city_of_one(load_hall_config()))

    def answer(key: str, age: timedelta) -> IdempotentResponse:
        return IdempotentResponse(
            principal="user:1",
            key=key,
            fingerprint="f",
            status_code=200,
            body="{}",
            created_at=NOW - age,
        )

    def token(name: str, *, device: bool, expired_for: timedelta | None) -> ApiToken:
        return ApiToken(
            token_hash=name.ljust(64, "0"),
            role=Role.KIOSK if device else Role.CLERK,
            name=name,
            device=device,
            created_at=NOW - timedelta(days=30),
            expires_at=None if expired_for is None else NOW - expired_for,
        )

    with db.write_session() as session:
        session.add_all([answer("old", timedelta(hours=25)), answer("new", timedelta(hours=1))])
        session.add_all(
            [
                token("dead-login", device=False, expired_for=timedelta(days=8)),
                token("recent-login", device=False, expired_for=timedelta(days=1)),
                token("kiosk", device=True, expired_for=None),
            ]
        )
    assert db.write_sync(lambda session: prune(session=session, now=NOW)) == 2
    with db.read_session() as session:
        assert [a.key for a in session.exec(select(IdempotentResponse))] == ["new"]
        assert sorted(t.name for t in session.exec(select(ApiToken))) == ["kiosk", "recent-login"]
    db.dispose()
