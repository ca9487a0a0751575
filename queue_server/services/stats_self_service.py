"""24小时自助服务区 statistics: each hall's zone devices over a period, read as plain records and
counted by the pure core (domain/stats/self_service.py), one row per hall and the city's total."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from queue_server.city import CityHall
from queue_server.config import HallConfig
from queue_server.domain.stats.self_service import (
    Calendar,
    DeviceRecords,
    HelpRecord,
    Period,
    RepairRecord,
    Round,
    RoundCount,
    StatusChange,
    ZoneFigures,
    device_figures,
    help_figures,
)
from queue_server.models import DeviceStatusChange, HelpRequest, RepairCase, ZoneInspection
from queue_server.protocol import (
    SelfServiceDeviceStats,
    SelfServiceStatsReport,
    SelfServiceStatsRow,
    ZoneRoundStats,
)
from queue_server.services.stats_report import check_period

TOTAL_KEY = "total"
TOTAL_LABEL = "合计"


def hall_period(hall: HallConfig, start: date, end: date, now: datetime) -> Period:
    first = datetime.combine(start, time(0), hall.tz)
    last = datetime.combine(end + timedelta(days=1), time(0), hall.tz)
    return Period(start=start, end=end, first=first, last=last, now=now)


def _timeline(
    session: Session, *, hall: str, device: str, first: datetime, until: datetime
) -> list[StatusChange]:
    """The device's status at `first` (its last change before) and its changes up to `until`."""
    rows = DeviceStatusChange.hall == hall, DeviceStatusChange.device == device
    before = session.exec(
        select(DeviceStatusChange)
        .where(*rows, col(DeviceStatusChange.at) < first)
        .order_by(col(DeviceStatusChange.at).desc(), col(DeviceStatusChange.id).desc())
        .limit(1)
    ).first()
    during = session.exec(
        select(DeviceStatusChange)
        .where(*rows, col(DeviceStatusChange.at) >= first, col(DeviceStatusChange.at) < until)
        .order_by(col(DeviceStatusChange.at), col(DeviceStatusChange.id))
    ).all()
    return [StatusChange(row.at, row.status) for row in [*([before] if before else []), *during]]


def _help(session: Session, *, hall: str, period: Period) -> list[tuple[str | None, HelpRecord]]:
    return [
        (row.device, HelpRecord(row.requested_at, row.acked_at, row.escalated_at))
        for row in session.exec(
            select(HelpRequest).where(
                HelpRequest.hall == hall,
                col(HelpRequest.requested_at) >= period.first,
                col(HelpRequest.requested_at) < period.last,
            )
        )
    ]


def _repairs(session: Session, *, hall: str, period: Period) -> list[RepairCase]:
    """The hall's repair cases opened or verified in the period."""
    opened, verified = col(RepairCase.opened_at), col(RepairCase.verified_at)
    return list(
        session.exec(
            select(RepairCase).where(
                RepairCase.hall == hall,
                sa.or_(
                    sa.and_(opened >= period.first, opened < period.last),
                    sa.and_(verified >= period.first, verified < period.last),
                ),
            )
        )
    )


def _inspections(session: Session, *, hall: str, period: Period) -> list[ZoneInspection]:
    return list(
        session.exec(
            select(ZoneInspection).where(
                ZoneInspection.hall == hall,
                col(ZoneInspection.at) >= period.first,
                col(ZoneInspection.at) < period.last,
            )
        )
    )


def hall_figures(
    session: Session, *, hall: HallConfig, start: date, end: date, now: datetime
) -> tuple[ZoneFigures, list[ZoneFigures]]:
    """The hall's zone and each of its configured devices, over the days `start`…`end`."""
    period = hall_period(hall, start, end, now)
    until = max(period.first, min(period.last, now))
    config = hall.self_service
    intervals = list(hall.zone_schedule.open_intervals(period.first, until))
    rounds = [Round(item.name, item.start, item.end) for item in config.inspections]
    calendar = Calendar(hall.tz, hall.work_calendar.is_workday)
    escalate_after = timedelta(minutes=config.help_escalate_minutes)
    inspections = _inspections(session, hall=hall.code, period=period)
    repairs = _repairs(session, hall=hall.code, period=period)
    helps = _help(session, hall=hall.code, period=period)
    zone = help_figures(
        hall.code, [record for _, record in helps], period=period, escalate_after=escalate_after
    )
    zone.rounds = {item.name: RoundCount() for item in rounds}
    devices: list[ZoneFigures] = []
    for device in config.devices:
        records = DeviceRecords(
            name=device.name,
            changes=_timeline(
                session, hall=hall.code, device=device.name, first=period.first, until=until
            ),
            inspections=[row.at for row in inspections if row.device == device.name],
            repairs=[
                RepairRecord(row.source, row.opened_at, row.verified_at)
                for row in repairs
                if row.device == device.name
            ],
            help_requests=[record for name, record in helps if name == device.name],
        )
        figures = device_figures(
            records,
            period=period,
            open_intervals=intervals,
            rounds=rounds,
            calendar=calendar,
            escalate_after=escalate_after,
        )
        zone.add(figures, with_help=False)
        devices.append(figures)
    return zone, devices


def _figures(figures: ZoneFigures, label: str) -> dict[str, object]:
    inspections = figures.inspections
    repair = figures.repair
    response = figures.response
    return {
        "key": figures.key,
        "label": label,
        "open_seconds": round(figures.open_seconds, 3),
        "available_seconds": round(figures.available_seconds, 3),
        "availability": figures.availability,
        "inspections_due": inspections.due,
        "inspections_on_time": inspections.on_time,
        "inspections_missed": inspections.missed,
        "inspections_on_time_share": inspections.share,
        "rounds": {
            name: ZoneRoundStats(
                due=count.due,
                on_time=count.on_time,
                missed=count.missed,
                on_time_share=count.share,
            )
            for name, count in figures.rounds.items()
        },
        "faults": figures.faults,
        "faults_by_source": dict(figures.faults_by_source),
        "repaired": repair.count,
        "repair_seconds_mean": repair.mean,
        "help_requests": figures.help_requests,
        "help_acknowledged": figures.help_acknowledged,
        "help_escalated": figures.help_escalated,
        "help_response_seconds_mean": response.mean,
        "help_response_seconds_p90": response.p90,
    }


def stats_row(
    zone: ZoneFigures, label: str, devices: Sequence[ZoneFigures], labels: dict[str, str]
) -> SelfServiceStatsRow:
    return SelfServiceStatsRow.model_validate(
        {
            **_figures(zone, label),
            "device_count": zone.devices,
            "devices": [
                SelfServiceDeviceStats.model_validate(_figures(device, labels[device.key]))
                for device in devices
            ],
        }
    )


def self_service_report(
    session: Session,
    *,
    halls: Sequence[CityHall],
    start: date,
    end: date,
    now: datetime,
    only: str | None = None,
) -> SelfServiceStatsReport:
    """Every hall of `halls` and the city's total; or, with `only`, that hall's row alone
    (counted the same way, so it equals its row in the city's report)."""
    check_period(start, end)
    rows: list[SelfServiceStatsRow] = []
    city = ZoneFigures(TOTAL_KEY)
    for entry in halls:
        if only not in (None, entry.code):
            continue
        hall = entry.hall
        zone, devices = hall_figures(session, hall=hall, start=start, end=end, now=now)
        city.add(zone)
        labels = {device.name: device.label for device in hall.self_service.devices}
        rows.append(stats_row(zone, hall.hall.name, devices, labels))
    return SelfServiceStatsReport(
        from_day=start,
        to_day=end,
        generated_at=now,
        rows=rows,
        total=stats_row(city, TOTAL_LABEL, [], {}) if only is None else None,
    )
