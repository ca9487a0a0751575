"""好差评: the window's evaluator tablet, the applicant's status page, and the managers' list."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from queue_server.api.deps import ResourcesDep, WindowNo, require
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

Evaluator = Annotated[Principal, Depends(require(Role.EVALUATOR))]
TabletViewer = Annotated[Principal, Depends(require(Role.EVALUATOR, Role.MANAGER, Role.ADMIN))]
Managers = Annotated[Principal, Depends(require(Role.MANAGER, Role.ADMIN))]
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


@router.get("/api/windows/{window_no}/evaluation", response_model=EvaluatorState)
async def evaluator_state(
    window_no: WindowNo, principal: TabletViewer, resources: ResourcesDep
) -> EvaluatorState:
    """What the window's tablet shows: the choices, and the service it may ask about now."""
    check_evaluator_window(principal, window_no)
    now = resources.clock.now()
    return await resources.db.read(
        lambda session: evaluations.evaluator_state(
            session, hall=resources.hall, window_no=window_no, now=now
        )
    )


@router.post(
    "/api/windows/{window_no}/evaluation", status_code=201, response_model=EvaluationPublic
)
async def rate_at_window(
    window_no: WindowNo,
    body: WindowEvaluationSubmit,
    request: Request,
    principal: Evaluator,
    resources: ResourcesDep,
) -> Response:
    check_evaluator_window(principal, window_no)
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: evaluations.rate_at_window(
            session=session, hall=resources.hall, window_no=window_no, request=body, now=now
        ),
        status_code=201,
    )


@router.get("/api/public/tickets/{public_code}/evaluation", response_model=PublicEvaluationState)
async def public_state(public_code: PublicCode, resources: ResourcesDep) -> PublicEvaluationState:
    """Public: for the applicant's status page; no personal data."""
    now = resources.clock.now()
    return await resources.db.read(
        lambda session: evaluations.public_state(
            session, hall=resources.hall, public_code=public_code, now=now
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
    code = public_code.upper()
    holder = TicketHolder(token_id=0, role=Role.BOARD, name="applicant", public_code=code)
    return await mutate(
        request,
        resources,
        holder,
        lambda session, now: evaluations.rate_by_code(
            session=session, hall=resources.hall, public_code=public_code, request=body, now=now
        ),
        status_code=201,
    )


@router.get("/api/evaluations", response_model=list[EvaluationPublic])
async def list_evaluations(
    _: Managers,
    resources: ResourcesDep,
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
    return await resources.db.read(
        lambda session: evaluations.list_evaluations(
            session,
            hall=resources.hall,
            day_from=day_from,
            day_to=day_to,
            level=level,
            window_no=window_no,
            defaulted=defaulted,
        )
    )
