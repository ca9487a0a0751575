"""Schemathesis against a real server, from the server's own OpenAPI, with every check on
(the CLI's `st run --checks all`): all four phases — examples, coverage (undeclared methods,
missing headers, boundary values), fuzzing and stateful sequences (use after delete, a created
resource not found) — once with each role's token and once with none.

Every check holds for every operation, except where a documented rule of the hall cannot be
written in JSON Schema; those few are switched off for that operation alone, below, each with
the reason. A failure report names the operation, the check and a curl line to reproduce it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.engine import Status, events

from queue_server.app import create_app
from queue_server.config import Settings, load_hall_config
from tests.support import ServerProcess, free_port, login, seed_accounts

ROLES = ["admin", "manager", "clerk", "kiosk", "board", "evaluator", "device", "anonymous"]

STAFF = {"admin", "manager", "clerk"}
"""Staff reach most of the API and get the larger budget and the stateful phase (sequences that
create, change and read back tickets, windows and cases); a device or no token is refused by
most routes after the first few cases."""
EXAMPLES = {"admin": 10, "manager": 5, "clerk": 10}
DEVICE_EXAMPLES = 3

UNEXPECTED_METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "PATCH", "TRACE"]

SCHEMA_VALID_BUT_REFUSED = "positive_data_acceptance"
"""Schema-valid data that the hall may still refuse with 422 `invalid_input` (docs/api.md)."""

PER_OPERATION: list[dict[str, Any]] = [
    # The pages take their token in `?token=` as well as in the header (docs/api.md, "Web
    # boards" and "The evaluator page"), so a missing `Authorization` header is no refusal.
    *(
        {"include-name": name, "checks": {"missing_required_header": {"enabled": False}}}
        for name in ("GET /board", "GET /board/window/{window_no}", "GET /rate/window/{window_no}")
    ),
    # Logging out revokes the token every later case of the run would use.
    {"include-name": "POST /api/auth/logout", "enabled": False},
    # `to` before `from` is 422 (docs/api.md, Statistics): one parameter bounded by another.
    *(
        {"include-name": name, "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}}}
        for name in (
            "GET /api/stats",
            "GET /api/stats/export",
            "GET /api/stats/cross-region",
            "GET /api/stats/cross-region/export",
            "GET /api/stats/self-service",
            "GET /api/stats/self-service/export",
            "GET /api/stats/appointments",
            "GET /api/stats/appointments/export",
            "GET /api/stats/journeys",
            "GET /api/stats/journeys/export",
        )
    ),
    # The category must be one of the hall's (configured per hall, not in the schema); an
    # unknown `matter` is 422 `invalid_input` likewise.
    {
        "include-name": "POST /api/tickets",
        "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}},
    },
    # A deposit names a ticket or a 市域通办 case, exactly one of them, and a compartment the
    # locker has (configured per hall, not in the schema).
    {
        "include-name": "POST /api/lockers/{name}/deposits",
        "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}},
    },
    # Transfers name a category of the hall or one of its windows, and exactly one of them;
    # a check-in gives a booking code or an ID number, exactly one of them.
    *(
        {"include-name": name, "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}}}
        for name in ("POST /api/tickets/{ticket_id}/transfer", "POST /api/appointments/check-in")
    ),
    # A case is assigned to `owner`, `department` or both: at least one (docs/api.md, Cases);
    # an owner must be a staff login; the category and matter of a new case must be the hall's.
    *(
        {"include-name": name, "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}}}
        for name in ("POST /api/cases/{case_id}/assign", "POST /api/cases")
    ),
    # Closing as `not_possible` needs a `reason` (docs/api.md, Cases): a rule across fields.
    {
        "include-name": "POST /api/cases/{case_id}/close",
        "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}},
    },
    # A bad rating (level 1-2) needs at least one of the hall's configured reasons.
    *(
        {"include-name": name, "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}}}
        for name in (
            "POST /api/windows/{window_no}/evaluation",
            "POST /api/public/tickets/{public_code}/evaluation",
            "POST /api/cases/{case_id}/follow-up",
        )
    ),
    # 市域通办 (docs/api.md, Cross-region cases): the matter must be in the hall's catalog and
    # allow the mode, the owning hall another hall of the city (none in a city of one), the
    # mailing address goes with `mail` only; forwarding or delivering by mail needs a tracking
    # number and rejecting a reason: rules across fields and configuration.
    *(
        {"include-name": name, "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}}}
        for name in (
            "POST /api/cross-region-cases",
            "POST /api/cross-region-cases/{case_id}/forward",
            "POST /api/cross-region-cases/{case_id}/decide",
            "POST /api/cross-region-cases/{case_id}/deliver",
        )
    ),
    # 一键求助 names a device the token was issued for, or (an admin) one of the hall's zone
    # (docs/api.md, Help requests): bound by the token and the hall's configuration.
    {
        "include-name": "POST /api/help-requests",
        "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}},
    },
    # The public booking routes need no token: they declare the bearer scheme only to refuse
    # one (docs/api.md, Appointments), so a missing `Authorization` header is no refusal.
    *(
        {"include-name": name, "checks": {"missing_required_header": {"enabled": False}}}
        for name in (
            "POST /api/public/appointments",
            "GET /api/public/appointments/{code}",
            "POST /api/public/appointments/{code}/cancel",
        )
    ),
    # 预约 (docs/api.md, Appointments): the ID number's check digit, the hall's bookable
    # categories, days and slots, one booking per person and day, the capacity, and a
    # per-address limit (429) on the public routes: rules of configuration, time and state.
    *(
        {"include-name": name, "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}}}
        for name in (
            "POST /api/public/appointments",
            "GET /api/public/appointments/{code}",
            "POST /api/public/appointments/{code}/cancel",
            "GET /api/appointments",
        )
    ),
    # A 潮汐 switch names one of the window's `also_serves` categories (configured per hall),
    # at an open window without a switch in force: rules of configuration and state.
    {
        "include-name": "POST /api/windows/{window_no}/tidal",
        "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}},
    },
    # An inspection's `checks` are items of the device kind's checklist, configured per hall
    # (docs/api.md, The 24-hour zone's devices).
    {
        "include-name": "POST /api/devices/{name}/inspections",
        "checks": {SCHEMA_VALID_BUT_REFUSED: {"enabled": False}},
    },
]


@dataclass(frozen=True)
class Finding:
    role: str
    operation: str
    check: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.role}] {self.operation}: {self.check}\n{self.detail}"


@dataclass(frozen=True)
class FuzzedHall:
    base_url: str
    tokens: dict[str, str | None]


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzedHall]:
    """`queue-server serve` in its own process (the runs below would share one GIL with a
    threaded server), with tickets issued and one called; every token taken before the runs,
    which try logins that end in the login throttle."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'hall.db'}"
    accounts = seed_accounts(database_url, load_hall_config())
    server = ServerProcess(database_url, free_port())
    server.start()
    try:
        base_url = server.base_url
        kiosk = {"Authorization": f"Bearer {accounts.kiosk_token}"}
        for category in ("general", "consult", "pickup"):
            httpx.post(f"{base_url}/api/tickets", json={"category": category}, headers=kiosk)
        clerk = {"Authorization": f"Bearer {login(base_url, accounts.clerks[0])}"}
        httpx.post(f"{base_url}/api/windows/2/sign-in", headers=clerk)
        httpx.post(f"{base_url}/api/windows/2/call-next", headers=clerk)
        yield FuzzedHall(
            base_url,
            {
                "admin": login(base_url, accounts.admin),
                "manager": login(base_url, accounts.manager),
                "clerk": clerk["Authorization"].removeprefix("Bearer "),
                "kiosk": accounts.kiosk_token,
                "device": accounts.device_token,
                "board": accounts.board_token,
                "evaluator": accounts.evaluator_token,
                "anonymous": None,
            },
        )
    finally:
        server.stop()


def run_all_checks(base_url: str, role: str, token: str | None) -> list[Finding]:
    """One schemathesis run, as `st run --checks all`, and what it found."""
    config = schemathesis.Config.from_dict(
        {
            "seed": 20260302,
            "headers": {"Authorization": f"Bearer {token}"} if token else {},
            "checks": {"enabled": True},
            "generation": {"max-examples": EXAMPLES.get(role, DEVICE_EXAMPLES)},
            "phases": {
                # Undeclared methods are routed before any token is read: one role tries them.
                "coverage": {"unexpected-methods": UNEXPECTED_METHODS if role == "admin" else []},
                "stateful": {"enabled": role in STAFF, "max-steps": 6},
            },
            "suppress-health-check": ["all"],
            "operations": PER_OPERATION,
        }
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", config=config)
    findings: list[Finding] = []
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.status == Status.FAILURE:
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        operation = event.recorder.cases[case_id].value.operation.label
                        failure = check.failure_info.failure
                        detail = (
                            f"{failure.title}: {failure.message}\n{check.failure_info.code_sample}"
                        )
                        findings.append(Finding(role, operation, check.name, detail))
        elif isinstance(event, events.NonFatalError):
            findings.append(Finding(role, event.label, "error", str(event.value)))
        elif isinstance(event, events.FatalError):
            findings.append(Finding(role, "-", "fatal error", repr(event.exception)))
    return findings


@pytest.mark.timeout(300)
@pytest.mark.parametrize("role", ROLES)
def test_the_api_passes_every_schemathesis_check(hall: FuzzedHall, role: str) -> None:
    findings = run_all_checks(hall.base_url, role, hall.tokens[role])
    unique = {(item.operation, item.check): item for item in findings}
    assert not unique, "\n\n".join(str(item) for item in unique.values())


def test_every_operation_declares_the_error_body_it_sends() -> None:
    """FastAPI's default 422 body (`HTTPValidationError`, a list in `detail`) is never sent:
    every operation declares `ErrorResponse` for its errors instead."""
    openapi = create_app(Settings(database_url="sqlite://")).openapi()
    assert "HTTPValidationError" not in str(openapi)
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "404", "422"):
                declared = str(operation["responses"].get(status))
                assert "#/components/schemas/ErrorResponse" in declared, (method, path, status)
