"""The smart locker (智能文件柜): staff deposit results, the locker's controller checks codes."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlmodel import Session

from queue_server.api.deps import Here, StaffHere, at_hall
from queue_server.api.mutations import mutate, retry_of
from queue_server.domain.enums import Role
from queue_server.domain.errors import Conflict, NotFound
from queue_server.domain.self_service import DepositStatus
from queue_server.protocol import (
    LockerDepositCreate,
    LockerDepositPublic,
    LockerPickup,
    LockerPickupResult,
    LockerPublic,
)
from queue_server.services import lockers
from queue_server.services.scope import Scope
from queue_server.throttle import TooManyAttempts

router = APIRouter(prefix="/api/lockers", tags=["lockers"])

LockerName = Annotated[
    str,
    Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="The locker, e.g. locker-1"),
]
LockerHere = Annotated[Here, Depends(at_hall(Role.DEVICE))]
"""The locker's own controller (its `device` token)."""


@router.get("", response_model=list[LockerPublic])
async def lockers_of_the_hall(here: StaffHere) -> list[LockerPublic]:
    """The hall's smart lockers with their compartments in use (staff)."""
    return await here.read(lockers.list_lockers)


@router.post("/{name}/deposits", response_model=LockerDepositPublic, status_code=201)
async def create_deposit(
    name: LockerName, body: LockerDepositCreate, request: Request, here: StaffHere
) -> Response:
    """Put a ready result into a free compartment; 201 with its six-digit `pickup_code`."""
    secret = here.resources.secret_key
    return await mutate(
        request,
        here,
        lambda scope: lockers.deposit(scope, name, body, secret=secret),
        status_code=201,
    )


@router.get("/{name}/deposits", response_model=list[LockerDepositPublic])
async def deposits(
    name: LockerName,
    here: StaffHere,
    status: Annotated[DepositStatus | None, Query(description="Only stored or picked up")] = None,
) -> list[LockerDepositPublic]:
    secret = here.resources.secret_key
    return await here.read(
        lambda scope: lockers.list_deposits(scope, name, secret=secret, status=status)
    )


@router.post("/{name}/pickups", response_model=LockerPickupResult)
async def pickup(
    name: LockerName, body: LockerPickup, request: Request, here: LockerHere
) -> Response:
    """The compartment to open for a typed code, once. 404 for a wrong code, 409 for a code
    already used, 429 while the code entry is locked (5 wrong codes in 10 minutes). A pickup
    retried with its Idempotency-Key (its answer was lost) gets the same compartment again."""
    secret, clock = here.resources.secret_key, here.resources.clock
    retry = await retry_of(request)

    def transaction(session: Session) -> tuple[int, bytes] | lockers.PickupOutcome:
        replayed = retry.replayed(session, here.principal)
        if replayed is not None:
            return replayed
        scope = Scope(session, here.hall, clock.now(), here.principal)
        outcome = lockers.pickup(scope, name, body.pickup_code, secret=secret)
        if outcome.compartment is not None:
            opened = LockerPickupResult(compartment=outcome.compartment)
            content = opened.model_dump_json().encode()
            retry.remember(session, here.principal, 200, content, scope.now)
            return 200, content
        return outcome

    answer = await here.resources.db.write(transaction, hall=here.code)
    if isinstance(answer, tuple):
        status, content = answer
        return Response(content=content, status_code=status, media_type="application/json")
    if answer.already:
        raise Conflict("此取件码已取过件")
    if answer.locked_until is not None:
        seconds = (answer.locked_until - clock.now()).total_seconds()
        minutes = max(1, round(seconds / 60))
        raise TooManyAttempts(
            f"取件码错误次数过多，请 {minutes} 分钟后再试", retry_after=int(seconds) + 1
        )
    raise NotFound("取件码不正确，请核对后重新输入")
