"""The hall's vocabulary. Values are wire names: add new members, never rename one."""

from enum import StrEnum


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"


class TicketAction(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no-show"
    REQUEUE = "requeue"
    TRANSFER = "transfer"
    CANCEL = "cancel"


class WindowStatus(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class PriorityReason(StrEnum):
    ELDERLY = "elderly"
    DISABLED = "disabled"
    MILITARY = "military"
    PREGNANT = "pregnant"
    OTHER = "other"


class CallReason(StrEnum):
    """Why a call picked this ticket; recorded with every call."""

    TRANSFER = "transfer"
    PRIORITY = "priority"
    LONGEST_WAIT = "longest_wait"
    CATEGORY_ORDER = "category_order"
    BY_NUMBER = "by_number"
    APPOINTMENT = "appointment"
    """An appointment ticket called within its slot's share of the calls."""
    RETURN_VISIT = "return_visit"
    """A 补件 applicant coming back on the same journey, served with priority."""
    OVERFLOW = "overflow"
    """A window helping with a category it `also_serves` (跨窗通办)."""


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    CLERK = "clerk"
    KIOSK = "kiosk"
    BOARD = "board"
    EVALUATOR = "evaluator"
    """The evaluation tablet facing the applicant at a window (好差评评价器)."""
    DEVICE = "device"
    """A device of the 24-hour self-service zone (a terminal, a locker's controller)."""


class EventType(StrEnum):
    TICKET_ISSUED = "ticket.issued"
    TICKET_CALLED = "ticket.called"
    TICKET_RECALLED = "ticket.recalled"
    TICKET_STARTED = "ticket.started"
    TICKET_FINISHED = "ticket.finished"
    TICKET_NO_SHOW = "ticket.no_show"
    TICKET_REQUEUED = "ticket.requeued"
    TICKET_TRANSFERRED = "ticket.transferred"
    TICKET_CANCELLED = "ticket.cancelled"
    WINDOW_SIGNED_IN = "window.signed_in"
    WINDOW_SIGNED_OUT = "window.signed_out"
    WINDOW_PAUSED = "window.paused"
    WINDOW_RESUMED = "window.resumed"
    WINDOW_TIDAL_STARTED = "window.tidal_started"
    """A 潮汐 switch: the window serves another category first until a time."""
    WINDOW_TIDAL_ENDED = "window.tidal_ended"
    EVALUATION_SUBMITTED = "evaluation.submitted"
    CASE_OPENED = "case.opened"
    CASE_CLASSIFIED = "case.classified"
    CASE_ASSIGNED = "case.assigned"
    CASE_LOGGED = "case.logged"
    CASE_CLOSED = "case.closed"
    CASE_REPLIED = "case.replied"
    CASE_FOLLOWED_UP = "case.followed_up"
    CROSS_REGION_RECEIVED = "cross_region.received"
    CROSS_REGION_FORWARDED = "cross_region.forwarded"
    CROSS_REGION_ACCEPTED = "cross_region.accepted"
    CROSS_REGION_RETURNED = "cross_region.returned"
    CROSS_REGION_RESUBMITTED = "cross_region.resubmitted"
    CROSS_REGION_DECIDED = "cross_region.decided"
    CROSS_REGION_DELIVERED = "cross_region.delivered"
    ALERT_WAIT_TARGET = "alert.wait_target"
    ALERT_SERVICE_LIMIT = "alert.service_limit"
    ALERT_QUEUE_LENGTH = "alert.queue_length"
    ALERT_CASE_OVERDUE = "alert.case_overdue"
    ALERT_DEVICE = "alert.device"
    ALERT_CROSS_REGION_OVERDUE = "alert.cross_region_overdue"
    DEVICE_STATUS_CHANGED = "device.status_changed"
    DEVICE_INSPECTED = "device.inspected"
    REPAIR_OPENED = "repair.opened"
    REPAIR_ASSIGNED = "repair.assigned"
    REPAIR_FIXED = "repair.fixed"
    REPAIR_VERIFIED = "repair.verified"
    HELP_ACKNOWLEDGED = "help.acknowledged"
    LOCKER_DEPOSITED = "locker.deposited"
    LOCKER_PICKED_UP = "locker.picked_up"
    ALERT_INSPECTION_MISSED = "alert.inspection_missed"
    ALERT_REPAIR_OVERDUE = "alert.repair_overdue"
    ALERT_HELP_REQUESTED = "alert.help_requested"
    ALERT_HELP_UNANSWERED = "alert.help_unanswered"
    ALERT_LOCKER_UNCOLLECTED = "alert.locker_uncollected"
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    APPOINTMENT_CHECKED_IN = "appointment.checked_in"
    APPOINTMENT_NO_SHOW = "appointment.no_show"
    JOURNEY_OPENED = "journey.opened"
    """A service finished as 补件: the journey, its return code and what was missing."""
    JOURNEY_RETURNED = "journey.returned"
    """The applicant came back with the return code and was given a return ticket."""
    JOURNEY_DOCUMENTS_REQUESTED = "journey.documents_requested"
    """A return visit finished as 补件 again: more was missing."""
    JOURNEY_READY = "journey.ready"
    JOURNEY_COLLECTED = "journey.collected"
    JOURNEY_EXPIRED = "journey.expired"


class DeviceKind(StrEnum):
    """What a device reporting heartbeats is."""

    KIOSK = "kiosk"
    BOARD = "board"
    ANNOUNCER = "announcer"
    SELF_SERVICE = "self_service"
    """A terminal or printer of the 24-hour zone."""
    LOCKER = "locker"
    """The controller of a smart locker (智能文件柜)."""


class DeviceState(StrEnum):
    """A device's own report of its health; `offline` is never reported, only inferred."""

    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    PRINTER_OFFLINE = "printer_offline"
    PRINTER_ERROR = "printer_error"
    ERROR = "error"
    FAULT = "fault"
    """A zone device that knows it is out of order (暂停使用)."""


PRIORITY_LABELS: dict[PriorityReason, str] = {
    PriorityReason.ELDERLY: "老年人",
    PriorityReason.DISABLED: "残疾人",
    PriorityReason.MILITARY: "军人",
    PriorityReason.PREGNANT: "孕期",
    PriorityReason.OTHER: "其他",
}

STATUS_LABELS: dict[TicketStatus, str] = {
    TicketStatus.WAITING: "等候中",
    TicketStatus.CALLED: "已叫号",
    TicketStatus.SERVING: "办理中",
    TicketStatus.DONE: "已办结",
    TicketStatus.NO_SHOW: "过号",
    TicketStatus.TRANSFERRED: "已转移",
    TicketStatus.CANCELLED: "已取消",
}


class FinishOutcome(StrEnum):
    """How a service ended, for categories that require an outcome on finish."""

    RESOLVED = "resolved"
    NEEDS_DOCUMENTS = "needs_documents"
    UNRESOLVED = "unresolved"


OUTCOME_LABELS: dict[FinishOutcome, str] = {
    FinishOutcome.RESOLVED: "办结",
    FinishOutcome.NEEDS_DOCUMENTS: "补件",
    FinishOutcome.UNRESOLVED: "办不成",
}


class AppointmentStatus(StrEnum):
    """A booking's life: booked → checked_in | cancelled | no_show."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"


APPOINTMENT_STATUS_LABELS: dict[AppointmentStatus, str] = {
    AppointmentStatus.BOOKED: "已预约",
    AppointmentStatus.CANCELLED: "已取消",
    AppointmentStatus.CHECKED_IN: "已签到",
    AppointmentStatus.NO_SHOW: "爽约",
}


class JourneyStatus(StrEnum):
    """One matter from its first visit to 出件: waiting for the applicant to bring what was
    missing (补件), back in the hall, ready for collection, collected; or expired unreturned."""

    AWAITING_DOCUMENTS = "awaiting_documents"
    RETURNED = "returned"
    READY = "ready"
    COLLECTED = "collected"
    EXPIRED = "expired"


JOURNEY_STATUS_LABELS: dict[JourneyStatus, str] = {
    JourneyStatus.AWAITING_DOCUMENTS: "待补件",
    JourneyStatus.RETURNED: "补件办理中",
    JourneyStatus.READY: "可领取",
    JourneyStatus.COLLECTED: "已领取",
    JourneyStatus.EXPIRED: "已过期",
}
