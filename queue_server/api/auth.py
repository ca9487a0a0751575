"""Logging in and out."""

from datetime import timedelta

from fastapi import APIRouter, Response
from sqlmodel import Session

from queue_server.api.deps import Anyone, ResourcesDep, Staff
from queue_server.api.responses import ERROR_RESPONSES
from queue_server.protocol import LoginRequest, LoginResponse, MePublic
from queue_server.services import accounts
from queue_server.services.access import window_of

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/login", response_model=LoginResponse)
async def login(body: LoginRequest, resources: ResourcesDep) -> LoginResponse:
    ttl = timedelta(hours=resources.settings.login_ttl_hours)

    def transaction(session: Session) -> LoginResponse:
        token, record, user = accounts.login(
            session=session,
            name=body.username,
            password=body.password,
            now=resources.clock.now(),
            ttl=ttl,
        )
        assert record.expires_at is not None
        return LoginResponse(
            token=token,
            role=record.role,
            expires_at=record.expires_at,
            display_name=user.display_name,
        )

    return await resources.db.write(transaction)


@router.post("/logout", status_code=204)
async def logout(principal: Staff, resources: ResourcesDep) -> Response:
    await resources.db.write(
        lambda session: accounts.revoke_token(
            session=session, token_id=principal.token_id, now=resources.clock.now()
        )
    )
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
