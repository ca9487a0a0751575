"""Statistics for managers: a period's figures, the live hall, 市域通办, the 24-hour
self-service zone, and exports."""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Literal, Protocol, TypeVar

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel
from sqlmodel import Session

from queue_server.api.deps import (
    HallParameter,
    Here,
    Management,
    ManagementHere,
    Resources,
    ResourcesDep,
    resolve_hall,
)
from queue_server.api.params import ISO_DAY_ONLY
from queue_server.city import CityHall
from queue_server.domain.errors import InvalidInput
from queue_server.errors import WrongHall
from queue_server.protocol import (
    AppointmentStatsReport,
    CrossRegionStatsReport,
    LiveStats,
    OneVisitStatsReport,
    SelfServiceStatsReport,
    StatsGroupBy,
    StatsReport,
)
from queue_server.reports.appointment_exports import appointments_csv, appointments_xlsx
from queue_server.reports.exports import (
    cross_region_csv,
    cross_region_xlsx,
    self_service_csv,
    self_service_xlsx,
    to_csv,
    to_xlsx,
)
from queue_server.reports.one_visit import one_visit_csv, one_visit_xlsx
from queue_server.services.city import city_report
from queue_server.services.stats_appointments import appointment_report
from queue_server.services.stats_cross_region import cross_region_report
from queue_server.services.stats_journeys import one_visit_report
from queue_server.services.stats_report import live_stats, period_report
from queue_server.services.stats_self_service import self_service_report

router = APIRouter(prefix="/api/stats", tags=["statistics"])

FromDay = Annotated[
    date, Query(alias="from", description="first service day, YYYY-MM-DD"), ISO_DAY_ONLY
]
ToDay = Annotated[date, Query(alias="to", description="last service day, YYYY-MM-DD"), ISO_DAY_ONLY]
GroupBy = Annotated[
    StatsGroupBy,
    Query(
        description="category, window, clerk, hour, day, or hall (one row per hall of the "
        "city: city-wide managers and admins only, without `hall=`)"
    ),
]

Format = Annotated[Literal["csv", "xlsx"], Query(description="csv or xlsx")]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOAD_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}
}


def download(name: str, format: str, content: bytes) -> Response:
    """A report file as an attachment named `name`.`format`."""
    headers = {"Content-Disposition": f'attachment; filename="{name}.{format}"'}
    media_type = XLSX_TYPE if format == "xlsx" else "text/csv; charset=utf-8"
    return Response(content, media_type=media_type, headers=headers)


async def report_of(
    principal: Management,
    resources: ResourcesDep,
    group_by: GroupBy = "category",
    hall: HallParameter = None,
) -> Here | None:
    """The hall a report is of, resolved as on every hall-scoped route (and refused before
    the other parameters are looked at); None for the city's report, `group_by=hall`, which
    is for city-wide callers only."""
    if group_by != "hall":
        return Here(principal, resolve_hall(resources.city, principal, hall), resources)
    if hall is not None:
        raise InvalidInput("按大厅统计（group_by=hall）是全市统计，不能同时指定 hall")
    if principal.hall is not None:
        raise WrongHall(
            f"本账号属于大厅“{principal.hall}”，按大厅统计（group_by=hall）仅限全市账号"
        )
    return None


ReportOf = Annotated[Here | None, Depends(report_of)]


async def _report(
    here: Here | None, resources: Resources, start: date, end: date, group_by: StatsGroupBy
) -> StatsReport:
    if here is None:
        city = resources.city
        now = resources.clock.now()
        return await resources.db.read(
            lambda session: city_report(session, halls=city.halls, start=start, end=end, now=now)
        )
    return await here.read(
        lambda scope: period_report(
            scope.session, hall=scope.hall, start=start, end=end, group_by=group_by, now=scope.now
        )
    )


@router.get("", response_model=StatsReport)
async def stats(
    report: ReportOf,
    resources: ResourcesDep,
    start: FromDay,
    end: ToDay,
    group_by: GroupBy = "category",
) -> StatsReport:
    return await _report(report, resources, start, end, group_by)


@router.get("/live", response_model=LiveStats)
async def live(here: ManagementHere) -> LiveStats:
    return await here.read(lambda scope: live_stats(scope.session, hall=scope.hall, now=scope.now))


@router.get("/export", response_class=Response, responses=DOWNLOAD_RESPONSES)
async def export(
    report_hall: ReportOf,
    resources: ResourcesDep,
    start: FromDay,
    end: ToDay,
    group_by: GroupBy = "category",
    format: Format = "csv",
) -> Response:
    """The same figures as `GET /api/stats`, as a file to download."""
    report = await _report(report_hall, resources, start, end, group_by)
    content = to_xlsx(report) if format == "xlsx" else to_csv(report)
    return download(f"yimen-stats-{start}-{end}-{group_by}", format, content)


async def cross_region_of(
    principal: Management, resources: ResourcesDep, hall: HallParameter = None
) -> Here | None:
    """The hall a 市域通办 report is of: the one `hall=` names, else the caller's own (a
    hall-bound caller may name only its own); None for a city-wide caller naming none, who
    gets every hall of the city and the city's total."""
    if hall is None and principal.hall is None:
        return None
    return Here(principal, resolve_hall(resources.city, principal, hall), resources)


CrossRegionOf = Annotated[Here | None, Depends(cross_region_of)]


Report = TypeVar("Report", covariant=True)


class CityReport(Protocol[Report]):
    """A report over the city's halls, or only one of them (`only`)."""

    def __call__(
        self,
        session: Session,
        *,
        halls: Sequence[CityHall],
        start: date,
        end: date,
        now: datetime,
        only: str | None = None,
    ) -> Report: ...


async def _city_report(
    report: CityReport[Report], of: Here | None, resources: Resources, start: date, end: date
) -> Report:
    """A report of one hall (`of`) or, for a city-wide caller naming none, of every hall."""
    halls = resources.city.halls
    now = resources.clock.now()
    only = None if of is None else of.code
    return await resources.db.read(
        lambda session: report(session, halls=halls, start=start, end=end, now=now, only=only)
    )


ReportModel = TypeVar("ReportModel", bound=BaseModel)


def city_report_routes(
    path: str,
    *,
    report: CityReport[ReportModel],
    model: type[ReportModel],
    csv: Callable[[ReportModel], bytes],
    xlsx: Callable[[ReportModel], bytes],
    description: str,
) -> None:
    """`GET /api/stats/<path>` (one hall's report, or every hall's and the city's total for a
    city-wide caller naming none) and `GET /api/stats/<path>/export` (the same as CSV or
    XLSX, named `yimen-<path>-<from>-<to>-<hall or city>`)."""
    name = path.replace("-", "_")

    async def figures(
        of: CrossRegionOf, resources: ResourcesDep, start: FromDay, end: ToDay
    ) -> ReportModel:
        return await _city_report(report, of, resources, start, end)

    async def export(
        of: CrossRegionOf,
        resources: ResourcesDep,
        start: FromDay,
        end: ToDay,
        format: Format = "csv",
    ) -> Response:
        made = await _city_report(report, of, resources, start, end)
        content = xlsx(made) if format == "xlsx" else csv(made)
        scope = "city" if of is None else of.code
        return download(f"yimen-{path}-{start}-{end}-{scope}", format, content)

    router.add_api_route(
        f"/{path}", figures, response_model=model, name=name, description=description
    )
    router.add_api_route(
        f"/{path}/export",
        export,
        response_class=Response,
        responses=DOWNLOAD_RESPONSES,
        name=f"{name}_export",
        description=f"The same figures as `GET /api/stats/{path}`, as a file to download.",
    )


city_report_routes(
    "cross-region",
    report=cross_region_report,
    model=CrossRegionStatsReport,
    csv=cross_region_csv,
    xlsx=cross_region_xlsx,
    description="市域通办 per hall: cases received for other halls, decided for them, by "
    "state, steps on time, working days from received to delivered (docs/statistics.md).",
)
city_report_routes(
    "self-service",
    report=self_service_report,
    model=SelfServiceStatsReport,
    csv=self_service_csv,
    xlsx=self_service_xlsx,
    description="The 24-hour self-service zone per hall and per device: availability (完好率), "
    "inspections on time, faults and time to repair, help requests and response times "
    "(docs/statistics.md). A city-wide caller naming no hall gets every hall and the city's "
    "total, as for `GET /api/stats/cross-region`.",
)
city_report_routes(
    "appointments",
    report=appointment_report,
    model=AppointmentStatsReport,
    csv=appointments_csv,
    xlsx=appointments_xlsx,
    description="预约 per hall and per category: bookings made for the period's days, "
    "cancelled, checked in and no-shows, and the mean and p90 wait of appointment tickets "
    "against walk-in tickets (docs/statistics.md). A city-wide caller naming no hall gets "
    "every hall and the city's total, as for `GET /api/stats/cross-region`.",
)
city_report_routes(
    "journeys",
    report=one_visit_report,
    model=OneVisitStatsReport,
    csv=one_visit_csv,
    xlsx=one_visit_xlsx,
    description="一次办成率 per hall, category and matter: matters completed (a ticket finished "
    "`resolved` outside any journey, a journey collected at 出件), service visits per matter, "
    "days from the first visit to 出件, and the share done in one visit (docs/statistics.md). "
    "A city-wide caller naming no hall gets every hall and the city's total.",
)
