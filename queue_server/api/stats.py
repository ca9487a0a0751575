"""Statistics for managers: a period's figures, the live hall, and exports."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from queue_server.api.deps import Here, ManagementHere
from queue_server.api.params import ISO_DAY_ONLY
from queue_server.protocol import LiveStats, StatsGroupBy, StatsReport
from queue_server.reports.exports import to_csv, to_xlsx
from queue_server.services.stats_report import live_stats, period_report

router = APIRouter(prefix="/api/stats", tags=["statistics"])

FromDay = Annotated[
    date, Query(alias="from", description="first service day, YYYY-MM-DD"), ISO_DAY_ONLY
]
ToDay = Annotated[date, Query(alias="to", description="last service day, YYYY-MM-DD"), ISO_DAY_ONLY]
GroupBy = Annotated[StatsGroupBy, Query(description="category, window, clerk, hour or day")]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _report(here: Here, start: date, end: date, group_by: StatsGroupBy) -> StatsReport:
    return await here.read(
        lambda scope: period_report(
            scope.session, hall=scope.hall, start=start, end=end, group_by=group_by, now=scope.now
        )
    )


@router.get("", response_model=StatsReport)
async def stats(
    here: ManagementHere,
    start: FromDay,
    end: ToDay,
    group_by: GroupBy = "category",
) -> StatsReport:
    return await _report(here, start, end, group_by)


@router.get("/live", response_model=LiveStats)
async def live(here: ManagementHere) -> LiveStats:
    return await here.read(lambda scope: live_stats(scope.session, hall=scope.hall, now=scope.now))


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}},
)
async def export(
    here: ManagementHere,
    start: FromDay,
    end: ToDay,
    group_by: GroupBy = "category",
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv or xlsx")] = "csv",
) -> Response:
    """The same figures as `GET /api/stats`, as a file to download."""
    report = await _report(here, start, end, group_by)
    name = f"yimen-stats-{start}-{end}-{group_by}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "xlsx":
        return Response(to_xlsx(report), media_type=XLSX_TYPE, headers=headers)
    return Response(to_csv(report), media_type="text/csv; charset=utf-8", headers=headers)
