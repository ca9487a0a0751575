"""Logging in and out."""

from datetime import timedelta

import anyio.to_thread
from fastapi import APIRouter, Response

from queue_server.api.deps import Anyone, ResourcesDep, Staff
from queue_server.api.responses import ERROR_RESPONSES
from queue_server.domain.errors import Forbidden
from queue_server.domain.numbering import service_day
from queue_server.protocol import ClerkDayPublic, LoginRequest, LoginResponse, MePublic
from queue_server.services import accounts
from queue_server.services.access import window_of
from queue_server.services.clerk_day import clerk_day

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/login", response_model=LoginResponse)
async def login(body: LoginRequest, resources: ResourcesDep) -> LoginResponse:
    throttle = resources.login_throttle
    throttle.check(body.username, resources.clock.now())
    found = await resources.db.read(lambda session: accounts.find_user(session, body.username))
    try:
        user = await anyio.to_thread.run_sync(accounts.check_password, found, body.password)
    except Forbidden:
        throttle.failed(body.username, resources.clock.now())
        raise
    throttle.succeeded(body.username)
    ttl = timedelta(hours=resources.settings.login_ttl_hours)
    token, record = await resources.db.write(
        lambda session: accounts.open_login(
            session=session, user=user, now=resources.clock.now(), ttl=ttl
        )
    )
    if record.expires_at is None:
        raise RuntimeError("login tokens always expire")
    return LoginResponse(
        token=token, role=record.role, expires_at=record.expires_at, display_name=user.display_name
    )


@router.post("/logout", status_code=204)
async def logout(principal: Staff, resources: ResourcesDep) -> Response:
    await resources.db.write(
        lambda session: accounts.revoke_token(
            session=session, token_id=principal.token_id, now=resources.clock.now()
        )
    )
    resources.tokens.forget_token_id(principal.token_id)
    return Response(status_code=204)


@router.get("/me", response_model=MePublic)
async def me(principal: Anyone, resources: ResourcesDep) -> MePublic:
    window = await resources.db.read(lambda session: window_of(session, principal))
    return MePublic(
        name=principal.name,
        role=principal.role,
        display_name=principal.display_name,
        staff_no=principal.staff_no,
        window_no=window.number if window else None,
    )


@router.get("/me/today", response_model=ClerkDayPublic)
async def my_day(principal: Staff, resources: ResourcesDep) -> ClerkDayPublic:
    """The caller's own figures for today: served, no-shows, transfers, mean service time."""
    hall = resources.hall
    day = service_day(
        now=resources.clock.now(), tz=hall.tz, start_hour=hall.hall.service_day_start_hour
    )
    return await resources.db.read(
        lambda session: clerk_day(session, user_id=principal.user_id, day=day)
    )
