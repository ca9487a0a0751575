"""The write path of every mutating route: one serialised, committed transaction, replayed
as it was for a retried Idempotency-Key; its events are published once it has committed."""

import hashlib
from collections.abc import Callable

from fastapi import Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from queue_server.api.deps import Here
from queue_server.domain.errors import InvalidInput
from queue_server.models import IdempotentResponse
from queue_server.services.scope import Scope

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128

Step = Callable[[Scope], BaseModel | None]


async def mutate(request: Request, here: Here, step: Step, *, status_code: int = 200) -> Response:
    """Run `step` in the caller's hall; its model is the JSON answer, None means 204."""
    resources, principal = here.resources, here.principal
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise InvalidInput(f"{IDEMPOTENCY_HEADER} must have 1 to {MAX_KEY_LENGTH} characters")
    body = await request.body()
    fingerprint = hashlib.sha256(
        f"{request.method} {request.url.path}?{request.url.query}\n".encode() + body
    ).hexdigest()

    def transaction(session: Session) -> tuple[int, bytes]:
        if key is not None:
            stored = session.get(IdempotentResponse, (principal.key, key))
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    raise InvalidInput(f"{IDEMPOTENCY_HEADER} was already used for another request")
                return stored.status_code, stored.body.encode()
        now = resources.clock.now()
        result = step(Scope(session, here.hall, now, principal))
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
    status, content = await resources.db.write(transaction, hall=here.code)
    if status == 204:
        return Response(status_code=204)
    return Response(content=content, status_code=status, media_type="application/json")
