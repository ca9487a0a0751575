"""`QueueClient`'s 好差评 and case-desk methods against a real server, as a manager console,
the desk and the evaluator tablet would use them."""

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from queue_server.client import QueueClient, QueueError
from queue_server.protocol import (
    CaseClass,
    CaseKind,
    CaseLogKind,
    CaseResolution,
    CaseStatus,
    EventMessage,
    EventType,
)
from tests.support import PASSWORD, LiveServer

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


async def logged_in(server: LiveServer, name: str) -> QueueClient:
    client = QueueClient(server.base_url)
    await client.login(name, PASSWORD)
    return client


def test_rating_through_the_client(server: LiveServer) -> None:
    async def scenario() -> None:
        clerk = await logged_in(server, server.accounts.clerks[0])
        async with (
            clerk,
            QueueClient(server.base_url, token=server.accounts.kiosk_token) as kiosk,
            QueueClient(server.base_url, token=server.accounts.evaluator_token) as tablet,
            QueueClient(server.base_url) as applicant,
        ):
            await clerk.sign_in(2)
            first = await kiosk.issue_ticket("general")
            second = await kiosk.issue_ticket("general")
            for ticket in (first, second):
                await clerk.call_next(2)
                await clerk.start(ticket.id)
                await clerk.finish(ticket.id)
            state = await tablet.evaluator_state(2)
            assert state.pending is not None and state.pending.ticket_id == second.id
            assert [level.level for level in state.options.levels] == [5, 4, 3, 2, 1]
            given = await tablet.rate_at_window(2, second.id, 5)
            assert (given.level, given.label) == (5, "非常满意")

            assert first.public_code is not None
            with pytest.raises(QueueError) as refused:
                await applicant.rate_ticket(first.public_code, 2)
            assert (refused.value.status_code, refused.value.code) == (422, "invalid_input")
            with pytest.raises(QueueError) as staff:
                await clerk.rate_ticket(first.public_code, 5)
            assert staff.value.code == "wrong_role"
            rated = await applicant.rate_ticket(first.public_code, 2, reasons=["办事效率低"])
            assert rated.reasons == ["办事效率低"]
            assert (await applicant.public_evaluation(first.public_code)).rateable is False

        async with await logged_in(server, server.accounts.manager) as manager:
            listed = await manager.evaluations(level=2, defaulted=False)
            assert [e.ticket_id for e in listed] == [first.id]
            [followup] = await manager.cases(kind=CaseKind.FOLLOWUP, overdue=False)
            assert followup.evaluation_id == listed[0].id

    run(scenario())


def test_working_a_case_through_the_client(server: LiveServer) -> None:
    async def scenario() -> None:
        clerk = await logged_in(server, server.accounts.clerks[0])
        desk = await logged_in(server, server.accounts.clerks[1])
        async with (
            clerk,
            desk,
            QueueClient(server.base_url, token=server.accounts.kiosk_token) as kiosk,
            QueueClient(server.base_url, token=server.accounts.board_token) as board,
        ):
            feed = board.subscribe()
            assert (await anext(feed)).connected  # type: ignore[union-attr]
            assert (await anext(feed)).type == "snapshot"  # type: ignore[union-attr]
            await clerk.sign_in(2)
            await desk.sign_in(11)
            ticket = await kiosk.issue_ticket("general")
            await clerk.call_next(2)
            moved = await clerk.transfer(ticket.id, to_category="unresolved", reason="系统不支持")
            [case] = await desk.cases(ticket_id=moved.id)
            case_id = case.id
            await desk.classify_case(case_id, CaseClass.SIMPLE)
            await desk.assign_case(case_id, department="社保中心")
            await desk.log_case_action(case_id, "部门已受理", kind=CaseLogKind.CALLBACK)
            closed = await desk.close_case(
                case_id, CaseResolution.NOT_POSSIBLE, "无法办理", reason="超出法定时限"
            )
            assert closed.negative_reason == "超出法定时限"
            await desk.case_feedback(case_id, "已告知")
            done = await desk.case_follow_up(case_id, "理解")
            assert done.status is CaseStatus.FOLLOWED_UP
            detail = await desk.case(case_id)
            assert [entry.label for entry in detail.log] == [
                "受理",
                "分类",
                "转办",
                "回访电话",
                "办结",
                "反馈",
                "回访",
            ]
            seen: list[EventMessage] = []
            while not seen or seen[-1].type is not EventType.CASE_FOLLOWED_UP:
                item = await asyncio.wait_for(anext(feed), 10)
                if isinstance(item, EventMessage):
                    seen.append(item)
            await feed.aclose()
            cases = [event for event in seen if event.type.startswith("case.")]
            assert [event.type for event in cases] == [
                "case.opened",
                "case.classified",
                "case.assigned",
                "case.logged",
                "case.closed",
                "case.replied",
                "case.followed_up",
            ]
            transferred = next(e for e in seen if e.type is EventType.TICKET_TRANSFERRED)
            assert cases[0].seq == transferred.seq + 1
            assert cases[0].payload is not None and cases[0].payload["case_id"] == case_id
            assert cases[4].payload is not None and cases[4].payload["in_time"] is True

    run(scenario())
