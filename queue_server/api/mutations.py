"""The write path of every mutating route: one serialised, committed transaction, replayed
as it was for a retried Idempotency-Key; its events are published once it has committed."""

import hashlib
from collections.abc import Callable
from datetime import datetime

from fastapi import Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from queue_server.api.deps import Resources
from queue_server.domain.errors import InvalidInput
from queue_server.models import IdempotentResponse
from queue_server.services.accounts import Principal

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128

Operation = Callable[[Session, datetime], BaseModel | None]


async def mutate(
    request: Request,
    resources: Resources,
    principal: Principal,
    operation: Operation,
    *,
    status_code: int = 200,
) -> Response:
    """Run `operation(session, now)`; its model is the JSON answer, None means 204."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise InvalidInput(f"{IDEMPOTENCY_HEADER} must have 1 to {MAX_KEY_LENGTH} characters")
    body = await request.body()
    fingerprint = hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\n" + body
    ).hexdigest()

    def transaction(session: Session) -> tuple[int, bytes]:
        if key is not None:
            stored = session.get(IdempotentResponse, (principal.key, key))
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    raise InvalidInput(f"{IDEMPOTENCY_HEADER} was already used for another request")
                return stored.status_code, stored.body.encode()
        now = resources.clock.now()
        result = operation(session, now)
        status, content = (
            (204, b"") if result is None else (status_code, result.model_dump_json().encode())
        )
        if key is not None:
            session.add(
                IdempotentResponse(
                    principal=principal.key,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=status,
                    body=content.decode(),
                    created_at=now,
                )
            )
        return status, content

    # The events it wrote reach the hub straight from the commit (events.publish_from_writer).
    status, content = await resources.db.write(transaction)
    if status == 204:
        return Response(status_code=204)
    return Response(content=content, status_code=status, media_type="application/json")
