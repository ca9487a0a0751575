"""好差评: the window's evaluator tablet, the applicant's status page, and the managers' list."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from queue_server.api.deps import (
    Here,
    ManagementHere,
    Resources,
    ResourcesDep,
    WindowNo,
    at_hall,
)
from queue_server.api.mutations import mutate
from queue_server.api.params import DIGITS_ONLY, ISO_DAY_ONLY
from queue_server.domain.enums import Role
from queue_server.errors import WrongRole
from queue_server.protocol import (
    EvaluationPublic,
    EvaluationSubmit,
    EvaluatorState,
    PublicEvaluationState,
    WindowEvaluationSubmit,
)
from queue_server.services import evaluations
from queue_server.services.access import check_evaluator_window
from queue_server.services.accounts import Principal, resolve_token

router = APIRouter(tags=["evaluations"])

Evaluator = Annotated[Here, Depends(at_hall(Role.EVALUATOR))]
TabletViewer = Annotated[Here, Depends(at_hall(Role.EVALUATOR, Role.MANAGER, Role.ADMIN))]
PublicCode = Annotated[
    str,
    Path(
        min_length=4,
        max_length=16,
        pattern=r"^[0-9A-Za-z]+$",
        description="The code printed on the ticket for its status page",
    ),
]

_bearer = HTTPBearer(auto_error=False, description="Must be absent: applicants rate themselves")


@dataclass(frozen=True, slots=True)
class TicketHolder(Principal):
    """The anonymous applicant holding a ticket's public code; its idempotency records are
    kept per code. `role` means nothing here."""

    public_code: str = ""

    @property
    def key(self) -> str:
        return f"code:{self.public_code}"


async def refuse_tokens(
    resources: ResourcesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> None:
    """Applicants rate their own tickets: a valid staff or device token is refused, so a clerk
    cannot rate on an applicant's behalf from the console."""
    if credentials is None:
        return
    token = credentials.credentials
    now = resources.clock.now()
    caller = await resources.db.read(
        lambda session: resolve_token(session=session, token=token, now=now)
    )
    if caller is not None:
        raise WrongRole("工作人员和设备不能代群众评价，请由群众本人在手机或评价器上评价")


async def holder_here(resources: Resources, public_code: str) -> Here:
    """The anonymous applicant holding `public_code`, in the hall of its ticket."""
    code = public_code.upper()
    ticket = await resources.db.read(lambda session: evaluations.ticket_by_code(session, code))
    holder = TicketHolder(
        token_id=0, role=Role.BOARD, name="applicant", public_code=code, hall=ticket.hall
    )
    return Here(holder, resources.city.hall(ticket.hall), resources)


@router.get("/api/windows/{window_no}/evaluation", response_model=EvaluatorState)
async def evaluator_state(window_no: WindowNo, here: TabletViewer) -> EvaluatorState:
    """What the window's tablet shows: the choices, and the service it may ask about now."""
    check_evaluator_window(here.principal, window_no)
    return await here.read(
        lambda scope: evaluations.evaluator_state(
            scope.session, hall=scope.hall, window_no=window_no, now=scope.now
        )
    )


@router.post(
    "/api/windows/{window_no}/evaluation", status_code=201, response_model=EvaluationPublic
)
async def rate_at_window(
    window_no: WindowNo, body: WindowEvaluationSubmit, request: Request, here: Evaluator
) -> Response:
    check_evaluator_window(here.principal, window_no)
    return await mutate(
        request,
        here,
        lambda scope: evaluations.rate_at_window(scope, window_no, body),
        status_code=201,
    )


@router.get("/api/public/tickets/{public_code}/evaluation", response_model=PublicEvaluationState)
async def public_state(public_code: PublicCode, resources: ResourcesDep) -> PublicEvaluationState:
    """Public: for the applicant's status page; no personal data."""
    here = await holder_here(resources, public_code)
    return await here.read(
        lambda scope: evaluations.public_state(
            scope.session, hall=scope.hall, public_code=public_code, now=scope.now
        )
    )


@router.post(
    "/api/public/tickets/{public_code}/evaluation",
    status_code=201,
    response_model=EvaluationPublic,
)
async def rate_by_code(
    public_code: PublicCode,
    body: EvaluationSubmit,
    request: Request,
    _: Annotated[None, Depends(refuse_tokens)],
    resources: ResourcesDep,
) -> Response:
    """Public, and only without a token: the applicant rates their own done ticket."""
    here = await holder_here(resources, public_code)
    return await mutate(
        request,
        here,
        lambda scope: evaluations.rate_by_code(scope, public_code, body),
        status_code=201,
    )


@router.get("/api/evaluations", response_model=list[EvaluationPublic])
async def list_evaluations(
    here: ManagementHere,
    day_from: Annotated[
        date | None, Query(alias="from", description="first service day"), ISO_DAY_ONLY
    ] = None,
    day_to: Annotated[
        date | None, Query(alias="to", description="last service day"), ISO_DAY_ONLY
    ] = None,
    level: Annotated[int | None, Query(ge=1, le=5), DIGITS_ONLY] = None,
    window_no: Annotated[int | None, Query(ge=1, le=999), DIGITS_ONLY] = None,
    defaulted: bool | None = None,
) -> list[EvaluationPublic]:
    """Evaluations of the tickets served in a period, newest first (at most 1000)."""
    return await here.read(
        lambda scope: evaluations.list_evaluations(
            scope.session,
            hall=scope.hall,
            day_from=day_from,
            day_to=day_to,
            level=level,
            window_no=window_no,
            defaulted=defaulted,
        )
    )
