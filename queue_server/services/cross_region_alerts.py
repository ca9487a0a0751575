"""`alert.cross_region_overdue`: every hall of a 市域通办 case hears once, on its own stream,
that the step the case waits for is past due."""

from datetime import datetime

from sqlmodel import Session, col, or_, select

from queue_server.city import CityConfig
from queue_server.domain.cross_region import (
    STEP_LABELS,
    CaseHalls,
    OpenStep,
    hours_past,
    overdue_steps,
)
from queue_server.domain.enums import EventType
from queue_server.models import CrossRegionAlert, CrossRegionCase, CrossRegionStepRecord
from queue_server.protocol import AlertPublic
from queue_server.services import journal
from queue_server.services.scope import Scope

CATEGORY_NAME = "市域通办"
"""Shown when the hall has no 跨域通办 category of its own."""


def open_steps(session: Session, *, hall: str, now: datetime) -> tuple[list[OpenStep], set[int]]:
    """The open steps past due of the cases `hall` is involved in, and those it was told of."""
    rows = session.exec(
        select(CrossRegionStepRecord, CrossRegionCase)
        .join(CrossRegionCase, col(CrossRegionCase.id) == col(CrossRegionStepRecord.case_id))
        .where(
            col(CrossRegionStepRecord.done_at).is_(None),
            col(CrossRegionStepRecord.due_at) < now,
            or_(
                col(CrossRegionCase.receiving_hall) == hall,
                col(CrossRegionCase.owner_hall) == hall,
                col(CrossRegionCase.delivering_hall) == hall,
            ),
        )
        .order_by(col(CrossRegionStepRecord.due_at), col(CrossRegionStepRecord.id))
    ).all()
    steps = [
        OpenStep(
            step_id=step.id,
            code=case.code,
            matter_name=case.matter_name,
            step=step.step,
            hall=step.hall,
            due=step.due_at,
            halls=CaseHalls(case.receiving_hall, case.owner_hall, case.delivering_hall),
        )
        for step, case in rows
        if step.id is not None
    ]
    raised = set(
        session.exec(
            select(CrossRegionAlert.step_id).where(
                CrossRegionAlert.hall == hall,
                col(CrossRegionAlert.step_id).in_([s.step_id for s in steps]),
            )
        ).all()
    )
    return steps, raised


def describe(step: OpenStep, *, city: CityConfig, scope: Scope) -> AlertPublic:
    hall = scope.hall
    category = hall.cross_region_category
    due = step.due
    if due is None:
        raise ValueError("an overdue step has a due time")
    taker = city.hall(step.hall).hall.name if step.hall in city.codes else step.hall
    due_local = due.astimezone(hall.tz)
    return AlertPublic(
        category=category or "cross_region",
        category_name=hall.category_by_code[category].name if category else CATEGORY_NAME,
        value=round(hours_past(due, scope.now), 3),
        threshold=0.0,
        cross_region_code=step.code,
        step=step.step,
        message=(
            f"市域通办案件{step.code}（{step.matter_name}）的“{STEP_LABELS[step.step]}”"
            f"应由{taker}于{due_local.month}月{due_local.day}日前完成，已超期，请尽快处理"
        ),
    )


def check_overdue(scope: Scope, *, city: CityConfig, dry_run: bool = False) -> int:
    """Append one alert per overdue step this hall has not been told of (in the caller's
    write transaction); with `dry_run`, only count them."""
    steps, raised = open_steps(scope.session, hall=scope.code, now=scope.now)
    due = overdue_steps(scope.code, steps=steps, raised=raised, now=scope.now)
    if dry_run:
        return len(due)
    for step in due:
        scope.session.add(CrossRegionAlert(step_id=step.step_id, hall=scope.code, at=scope.now))
        journal.record(
            scope,
            type=EventType.ALERT_CROSS_REGION_OVERDUE,
            category=scope.hall.cross_region_category,
            alert=describe(step, city=city, scope=scope),
        )
    return len(due)
