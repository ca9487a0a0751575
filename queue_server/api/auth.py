"""Logging in and out."""

from datetime import timedelta

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from queue_server.api.deps import Anyone, Resources, ResourcesDep, Staff, StaffHere, resolve_hall
from queue_server.domain.enums import Role
from queue_server.models import User
from queue_server.protocol import ClerkDayPublic, LoginRequest, LoginResponse, MePublic
from queue_server.services import accounts
from queue_server.services.access import window_of
from queue_server.services.clerk_day import clerk_day
from queue_server.throttle import TooManyAttempts

router = APIRouter(prefix="/api/auth", tags=["auth"])


async def _check_password(resources: Resources, user: User | None, password: str) -> User:
    """Argon2 in a worker thread, at most `password_check_threads` at a time, so a flood of
    logins cannot take the cores from the event loop and the writer."""
    limiter = resources.password_checks
    return await anyio.to_thread.run_sync(accounts.check_password, user, password, limiter=limiter)


@router.post("/login", response_model=LoginResponse)
async def login(body: LoginRequest, request: Request, resources: ResourcesDep) -> LoginResponse:
    waiting = resources.password_checks.statistics().tasks_waiting
    if waiting >= resources.settings.password_check_queue:
        raise TooManyAttempts("登录请求过多，请稍后再试", retry_after=1)
    address = request.client.host if request.client else "unknown"
    attempt = resources.login_throttle.reserve(body.username, address, resources.clock.now())
    found = await resources.db.read(lambda session: accounts.find_user(session, body.username))
    user = await _check_password(resources, found, body.password)
    resources.login_throttle.succeeded(attempt)
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
    window = None
    if principal.role is Role.CLERK:
        hall = resolve_hall(resources.city, principal, None)
        window = await resources.db.read(lambda session: window_of(session, hall, principal))
    return MePublic(
        name=principal.name,
        role=principal.role,
        display_name=principal.display_name,
        staff_no=principal.staff_no,
        window_no=window.number if window else None,
    )


@router.get("/me/today", response_model=ClerkDayPublic)
async def my_day(here: StaffHere) -> ClerkDayPublic:
    """The caller's own figures for today: served, no-shows, transfers, mean service time."""
    user_id = here.principal.user_id
    return await here.read(lambda scope: clerk_day(scope.session, user_id=user_id, day=scope.today))
