"""The network side of 市域通办 for both consoles: an App base whose workers read the case
list, open a case screen, take a step and open a case, and follow the hall's live feed."""

import asyncio
from typing import Final

from textual import work
from textual.app import App

from clerk_tui.cross_region.case_list import CrossRegionList
from clerk_tui.cross_region.case_screen import CrossRegionCaseScreen
from clerk_tui.cross_region.dialogs import OpenCaseDialog
from clerk_tui.cross_region.messages import (
    CaseOpeningSubmitted,
    CrossRegionCaseChosen,
    CrossRegionStepWanted,
    StepInput,
)
from queue_server.client import QueueClient, QueueError
from queue_server.domain.cross_region import (
    STEP_LABELS,
    CrossRegionStep,
    Decision,
    Delivery,
    ForwardChannel,
)
from queue_server.protocol import CrossRegionCaseDetail, EventMessage

LIST_DEBOUNCE_SECONDS: Final = 0.2
REFRESH_SECONDS: Final = 5.0
"""How often a shown list is read again: a step another hall takes goes into that hall's log,
not onto this hall's feed, so a case forwarded from elsewhere shows up only on a read."""


def is_cross_region_event(event: EventMessage) -> bool:
    """The events after which the case list (and an open case) must be read again."""
    kind = str(event.type)
    return kind.startswith("cross_region.") or kind == "alert.cross_region_overdue"


class CrossRegionDesk(App[None]):
    """What the manager console and the clerk console share for 市域通办.

    A subclass sets `client`, and tells where the list is (`cross_region_lists`), the hall's
    time zone (`desk_timezone`) and its name for a city-wide manager (`desk_hall_label`).
    """

    client: QueueClient

    def __init__(self) -> None:
        super().__init__()
        self.hall_names: dict[str, str] = {}
        """Every hall of the city, code -> name, as last read."""

    def cross_region_lists(self) -> list[CrossRegionList]:
        return list(self.screen.query(CrossRegionList))

    def desk_timezone(self) -> str:
        return "Asia/Shanghai"

    def desk_hall_label(self) -> str | None:
        return None

    def desk_say(self, text: str, *, error: bool = False) -> None:
        if error:
            self.notify(text, severity="error", timeout=8)

    # Following the feed

    def follow_cross_region(self, event: EventMessage) -> None:
        """Call on every event of the hall's live feed."""
        if not is_cross_region_event(event):
            return
        self.load_cross_region_cases()
        screen = self.screen
        if isinstance(screen, CrossRegionCaseScreen):
            self.load_cross_region_case(screen, materials=False)

    # The list

    def poll_cross_region(self) -> None:
        """For `set_interval`: read the list again while one is shown."""
        if any(widget.is_on_screen for widget in self.cross_region_lists()):
            self.load_cross_region_cases()

    @work(exclusive=True, group="cross-region-list", exit_on_error=False)
    async def load_cross_region_cases(self) -> None:
        """Read the list again; a burst of events collapses into one read."""
        await asyncio.sleep(LIST_DEBOUNCE_SECONDS)
        hall = self.client.hall_code
        try:
            if not self.hall_names:
                self.hall_names = {h.code: h.name for h in await self.client.public_halls()}
            cases = await self.client.cross_region_cases()
        except QueueError as error:
            self.desk_say(f"市域通办件读取失败：{error.detail}", error=True)
            return
        if self.client.hall_code != hall:
            return
        for widget in self.cross_region_lists():
            widget.show(cases, self.hall_names, self.desk_timezone())

    # One case

    def on_cross_region_case_chosen(self, message: CrossRegionCaseChosen) -> None:
        screen = CrossRegionCaseScreen(
            message.case_id, self.desk_timezone(), hall=self.desk_hall_label()
        )
        self.push_screen(screen, self._after_cross_region_case)
        self.load_cross_region_case(screen)

    def _after_cross_region_case(self, _: None) -> None:
        self.load_cross_region_cases()

    @work(group="cross-region-case", exit_on_error=False)
    async def load_cross_region_case(
        self, screen: CrossRegionCaseScreen, *, materials: bool = True
    ) -> None:
        try:
            case = await self.client.cross_region_case(screen.case_id)
            offered = await self._materials(case.matter) if materials else None
        except QueueError as error:
            screen.say(f"市域通办件读取失败：{error.detail}", error=True)
            return
        screen.show_case(case, self.hall_names, materials=offered)

    async def _materials(self, matter: str) -> list[str]:
        matters = await self.client.matters()
        return next((m.materials for m in matters if matter in (m.id, m.name)), [])

    def on_cross_region_step_wanted(self, message: CrossRegionStepWanted) -> None:
        screen = self.screen
        if isinstance(screen, CrossRegionCaseScreen) and screen.case_id == message.case_id:
            self.take_cross_region_step(screen, message.step, message.values)

    @work(group="cross-region-case", exit_on_error=False)
    async def take_cross_region_step(
        self, screen: CrossRegionCaseScreen, step: CrossRegionStep, values: StepInput
    ) -> None:
        label = STEP_LABELS[step]
        try:
            case = await self._step(screen.case_id, step, values)
        except QueueError as error:
            screen.say(f"{label}失败：{error.detail}", error=True)
            return
        screen.show_case(case, self.hall_names, done=f"已{label}，当前状态：{case.status_label}。")
        self.load_cross_region_cases()

    async def _step(
        self, case_id: int, step: CrossRegionStep, values: StepInput
    ) -> CrossRegionCaseDetail:
        client = self.client
        match step:
            case CrossRegionStep.FORWARD:
                return await client.forward_cross_region_case(
                    case_id, ForwardChannel(str(values.channel)), tracking_no=values.tracking_no
                )
            case CrossRegionStep.ACCEPT:
                return await client.accept_cross_region_case(case_id)
            case CrossRegionStep.RETURN:
                return await client.return_cross_region_case(
                    case_id, list(values.materials), note=values.note
                )
            case CrossRegionStep.RESUBMIT:
                return await client.resubmit_cross_region_case(case_id)
            case CrossRegionStep.DECIDE:
                return await client.decide_cross_region_case(
                    case_id, Decision(str(values.result)), reason=values.reason
                )
            case CrossRegionStep.DELIVER:
                return await client.deliver_cross_region_case(
                    case_id, Delivery(str(values.channel)), tracking_no=values.tracking_no
                )
        raise ValueError(f"no step {step!r} to take")

    # Opening a case

    def on_case_opening_submitted(self, message: CaseOpeningSubmitted) -> None:
        screen = self.screen
        if isinstance(screen, OpenCaseDialog):
            self.open_cross_region_case(screen, message)

    @work(exclusive=True, group="cross-region-open", exit_on_error=False)
    async def open_cross_region_case(
        self, dialog: OpenCaseDialog, message: CaseOpeningSubmitted
    ) -> None:
        opening = message.opening
        try:
            case = await self.client.open_cross_region_case(
                opening.ticket_id,
                matter=opening.matter,
                owner_hall=opening.owner_hall,
                mode=opening.mode,
                delivery=opening.delivery,
                pickup_hall=opening.pickup_hall,
                mail_address=opening.mail_address,
            )
        except QueueError as error:
            dialog.failed(f"开件失败：{error.detail}")
            return
        dialog.dismiss(None)
        owner = self.hall_names.get(case.owner_hall, case.owner_hall)
        self.desk_say(f"已开市域通办件 {case.code}（{case.matter_name}，属地：{owner}）")
        self.load_cross_region_cases()
