"""The applicant's view of a 市域通办 case: found by the ticket it was opened from, told in
plain words and local dates, with nothing personal (no mailing address, no tracking number,
no staff note, no reason text, no staff name)."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from queue_server.city import CityConfig
from queue_server.domain.cross_region import (
    STEP_LABELS,
    CrossRegionStatus,
    CrossRegionStep,
    Decision,
    Delivery,
    status_label,
)
from queue_server.models import CrossRegionCase, CrossRegionStepRecord, Ticket
from queue_server.protocol import CrossRegionStatusPublic, CrossRegionStatusStep

RESULT_WORDS = {Decision.APPROVED: "准予办理", Decision.REJECTED: "不予办理"}
APPLICANT_STEP_LABELS = {
    **STEP_LABELS,
    CrossRegionStep.RETURN: "告知补正",
    CrossRegionStep.RESUBMIT: "补正材料转递",
}


def step_label(step: CrossRegionStep, delivery: Delivery) -> str:
    """The step in the applicant's words: a result picked up at a hall is 出件."""
    if step is CrossRegionStep.DELIVER and delivery is Delivery.PICKUP:
        return "出件"
    return APPLICANT_STEP_LABELS[step]


def summary(case: CrossRegionCase, *, receiving: str, owner: str, pickup: str | None) -> str:
    """What is happening now and what the applicant has to do, in one sentence."""
    status = case.status
    if status is CrossRegionStatus.RECEIVED:
        return f"{receiving}已收下您的材料，正在转递给{owner}"
    if status is CrossRegionStatus.FORWARDED:
        what = "补正材料" if case.returned else "材料"
        return f"{what}已转递至{owner}，等待受理"
    if status is CrossRegionStatus.ACCEPTED:
        return f"{owner}已受理，正在办理"
    if status is CrossRegionStatus.RETURNED:
        return f"材料需要补正：请带齐下列全部材料，一次性交回{receiving}"
    result = f"（{RESULT_WORDS[case.result]}）" if case.result else ""
    if status is CrossRegionStatus.DECIDED:
        if case.delivery is Delivery.PICKUP:
            return f"已办结{result}，请到{pickup}领取办理结果"
        return f"已办结{result}，办理结果将邮寄给您"
    if case.delivery is Delivery.PICKUP:
        return f"办理结果已在{pickup}领取，本事项办理完毕"
    return "办理结果已邮寄送达，本事项办理完毕"


def applicant_view(
    case: CrossRegionCase, steps: Sequence[CrossRegionStepRecord], *, city: CityConfig
) -> CrossRegionStatusPublic:
    """The case as its applicant sees it. Pure: the case row, its step rows and the city's
    configuration (hall names and time zones) in, the public view out. Each date is the day
    in the zone of the hall that takes the step."""

    def name(code: str) -> str:
        return city.hall(code).hall.name

    def local(at: datetime, hall: str) -> datetime:
        return at.astimezone(city.hall(hall).tz)

    done = sorted(
        (row for row in steps if row.done_at is not None),
        key=lambda row: (row.done_at, row.id or 0),
    )
    waiting = [row for row in steps if row.done_at is None]
    current = waiting[-1] if waiting else None
    shown = [
        CrossRegionStatusStep(
            step=row.step,
            label=step_label(row.step, case.delivery),
            done_on=local(row.done_at, row.hall).date() if row.done_at else None,
        )
        for row in done
    ]
    due_on = None
    if current is not None:
        due_on = local(current.due_at, current.hall).date() if current.due_at else None
        shown.append(
            CrossRegionStatusStep(
                step=current.step, label=step_label(current.step, case.delivery), due_on=due_on
            )
        )
    pickup = name(case.pickup_hall) if case.pickup_hall else None
    receiving, owner = name(case.receiving_hall), name(case.owner_hall)
    returned = case.status is CrossRegionStatus.RETURNED
    return CrossRegionStatusPublic(
        code=case.code,
        status=case.status,
        status_label=status_label(case.status, case.delivery),
        matter_name=case.matter_name,
        receiving_hall_name=receiving,
        owner_hall_name=owner,
        delivery=case.delivery,
        pickup_hall_name=pickup if case.delivery is Delivery.PICKUP else None,
        summary=summary(case, receiving=receiving, owner=owner, pickup=pickup),
        steps=shown,
        due_on=due_on,
        materials=list(case.returned_materials) if returned else [],
        result=case.result,
    )


def cross_region_by_code(
    session: Session, *, city: CityConfig, codes: Collection[str]
) -> dict[str, CrossRegionStatusPublic]:
    """The applicant's view of the newest case opened from a ticket with each status-page
    code (after a transfer, from any row that carries the code), in two reads."""
    if not codes:
        return {}
    newest: dict[str, CrossRegionCase] = {}
    for case, code in session.exec(
        select(CrossRegionCase, Ticket.public_code)
        .join(Ticket, col(CrossRegionCase.ticket_id) == col(Ticket.id))
        .where(col(Ticket.public_code).in_(codes))
        .order_by(col(CrossRegionCase.id))
    ).all():
        newest[code] = case
    if not newest:
        return {}
    steps: dict[int | None, list[CrossRegionStepRecord]] = defaultdict(list)
    for step in session.exec(
        select(CrossRegionStepRecord)
        .where(col(CrossRegionStepRecord.case_id).in_([case.id for case in newest.values()]))
        .order_by(col(CrossRegionStepRecord.id))
    ).all():
        steps[step.case_id].append(step)
    return {code: applicant_view(case, steps[case.id], city=city) for code, case in newest.items()}
