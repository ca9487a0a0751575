"""A return visit's journey: the earlier visits and what was missing at each, so the clerk
checks exactly what the applicant was asked to bring."""

from textual.reactive import reactive
from textual.widgets import Static

from clerk_tui import formatting
from queue_server.protocol import JourneyPublic


def journey_lines(journey: JourneyPublic) -> list[str]:
    """The panel's text: one line per earlier visit, then what was asked for, one a line."""
    lines = [f"回执码 {journey.return_code} · {journey.status_label}"]
    for visit in journey.visits:
        who = f"{visit.window_no}号窗口 {visit.clerk or ''}".strip() if visit.window_no else ""
        outcome = formatting.outcome_label(visit.outcome) if visit.outcome else "—"
        lines.append(f"{visit.service_day:%m-%d} {visit.number} {who} {outcome}")
        lines += [f"  · {item}" for item in visit.missing]
    return lines


class JourneyPanel(Static):
    """Set `journey`; hidden without one."""

    journey: reactive[JourneyPublic | None] = reactive(None, always_update=True)

    def watch_journey(self, journey: JourneyPublic | None) -> None:
        self.set_class(journey is not None, "-shown")
        self.update("\n".join(journey_lines(journey)) if journey else "")
