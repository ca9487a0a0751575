"""Removes what is no longer needed: old idempotency answers and dead login tokens."""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, or_

from queue_server.models import ApiToken, IdempotentResponse

IDEMPOTENCY_RETENTION = timedelta(hours=24)
DEAD_TOKEN_RETENTION = timedelta(days=7)


def prune(*, session: Session, now: datetime) -> int:
    """Delete retry answers older than a day and login tokens that died a week ago.
    Device tokens are only ever revoked, never deleted, so their history stays."""
    answers = session.execute(
        delete(IdempotentResponse).where(
            col(IdempotentResponse.created_at) < now - IDEMPOTENCY_RETENTION
        )
    )
    cutoff = now - DEAD_TOKEN_RETENTION
    tokens = session.execute(
        delete(ApiToken).where(
            col(ApiToken.device).is_(False),
            or_(col(ApiToken.expires_at) < cutoff, col(ApiToken.revoked_at) < cutoff),
        )
    )
    return int(answers.rowcount or 0) + int(tokens.rowcount or 0)  # type: ignore[attr-defined]
