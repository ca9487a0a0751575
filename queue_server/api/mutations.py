"""The write path of every mutating route: one serialised, committed transaction, replayed
as it was for a retried Idempotency-Key; its events are published once it has committed."""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from queue_server.api.deps import Here
from queue_server.domain.errors import InvalidInput
from queue_server.models import IdempotentResponse
from queue_server.services.accounts import Principal
from queue_server.services.scope import Scope

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128

Step = Callable[[Scope], BaseModel | None]


@dataclass(frozen=True, slots=True)
class Retry:
    """A request's Idempotency-Key (if any) and what identifies the request it was sent with."""

    key: str | None
    fingerprint: str

    def replayed(self, session: Session, principal: Principal) -> tuple[int, bytes] | None:
        """The stored answer when this key was used before (for this very request)."""
        if self.key is None:
            return None
        stored = session.get(IdempotentResponse, (principal.key, self.key))
        if stored is None:
            return None
        if stored.fingerprint != self.fingerprint:
            raise InvalidInput(f"{IDEMPOTENCY_HEADER} was already used for another request")
        return stored.status_code, stored.body.encode()

    def remember(
        self, session: Session, principal: Principal, status: int, content: bytes, now: datetime
    ) -> None:
        if self.key is None:
            return
        session.add(
            IdempotentResponse(
                principal=principal.key,
                key=self.key,
                fingerprint=self.fingerprint,
                status_code=status,
                body=content.decode(),
                created_at=now,
            )
        )


async def retry_of(request: Request) -> Retry:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise InvalidInput(f"{IDEMPOTENCY_HEADER} must have 1 to {MAX_KEY_LENGTH} characters")
    body = await request.body()
    # Keyed with the server's secret: a body may carry an ID number (预约签到, 实名取号), and
    # a plain hash of a body that short could be reversed by trying every number.
    secret: bytes = request.app.state.resources.secret_key or b""
    fingerprint = hmac.new(
        secret,
        f"{request.method} {request.url.path}?{request.url.query}\n".encode() + body,
        hashlib.sha256,
    ).hexdigest()
    return Retry(key, fingerprint)


async def mutate(request: Request, here: Here, step: Step, *, status_code: int = 200) -> Response:
    """Run `step` in the caller's hall; its model is the JSON answer, None means 204."""
    resources, principal = here.resources, here.principal
    retry = await retry_of(request)

    def transaction(session: Session) -> tuple[int, bytes]:
        replayed = retry.replayed(session, principal)
        if replayed is not None:
            return replayed
        now = resources.clock.now()
        result = step(Scope(session, here.hall, now, principal))
        status, content = (
            (204, b"") if result is None else (status_code, result.model_dump_json().encode())
        )
        retry.remember(session, principal, status, content, now)
        return status, content

    # The events it wrote reach the hub straight from the commit (events.publish_from_writer).
    status, content = await resources.db.write(transaction, hall=here.code)
    if status == 204:
        return Response(status_code=204)
    return Response(content=content, status_code=status, media_type="application/json")
