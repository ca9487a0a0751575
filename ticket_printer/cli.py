"""`ticket-printer`: the touch kiosk, one-off printing and a PNG preview of the ticket."""

import asyncio
import logging
import socket
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from queue_server.client import QueueClient, QueueError
from queue_server.protocol import MatterPublic, PriorityReason, TicketPublic, TicketStatus
from ticket_printer.escpos_output import QrMode, RenderMode
from ticket_printer.fonts import FontMissing, find_cjk_font
from ticket_printer.layout import TicketLayout, build_layout
from ticket_printer.printers import SPEC_HELP, BadPrinterSpec
from ticket_printer.printing import EscposPrinter, PrinterFault

app = typer.Typer(
    help="一门 ticket-printer: the touch kiosk and the ticket printer.", no_args_is_help=True
)

Server = Annotated[
    str, typer.Option("--server", help="The queue server, e.g. http://10.0.0.2:8000")
]
Token = Annotated[
    str, typer.Option("--token", envvar="YIMEN_KIOSK_TOKEN", help="The kiosk's device token")
]
PrinterOption = Annotated[str, typer.Option("--printer", help=f"The printer: {SPEC_HELP}")]
Mode = Annotated[
    RenderMode,
    typer.Option(
        "--mode",
        help="raster: Chinese drawn as an image (any printer); text: the printer's own "
        "GB18030 font (Chinese printers)",
    ),
]
Paper = Annotated[int, typer.Option("--paper", help="Paper width in mm: 80 or 58")]
Qr = Annotated[
    QrMode | None,
    typer.Option("--qr", help="image (any printer) or native; default: image in raster mode"),
]
Font = Annotated[
    Path | None,
    typer.Option("--font", help="A CJK font file for raster mode [env: YIMEN_TICKET_FONT]"),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=code)


def _printer(
    spec: str, mode: RenderMode, paper: int, qr: QrMode | None, font: Path | None
) -> EscposPrinter:
    from ticket_printer.options import make_printer

    try:
        return make_printer(spec, mode=mode, paper_mm=paper, qr=qr, font=font)
    except (BadPrinterSpec, FontMissing, ValueError) as error:
        raise _fail(str(error)) from error


def _find_matter(matters: list[MatterPublic], key: str) -> MatterPublic:
    for matter in matters:
        if key in (matter.id, matter.name):
            return matter
    raise _fail(f"没有这个一件事事项：{key}（可用：{'、'.join(m.name for m in matters)}）")


async def _issue(
    server: str,
    token: str,
    category: str,
    matter_key: str | None,
    priority: PriorityReason | None,
) -> tuple[TicketPublic, TicketLayout]:
    async with QueueClient(server, token=token) as client:
        hall = await client.hall()
        matter = _find_matter(await client.matters(), matter_key) if matter_key else None
        ticket = await client.issue_ticket(
            category, priority=priority, matter=matter.id if matter else None
        )
    layout = build_layout(
        ticket,
        hall_name=hall.name,
        timezone=hall.timezone,
        server_url=server,
        matter=matter,
    )
    return ticket, layout


@app.command("print")
def print_ticket(
    server: Server,
    token: Token,
    category: Annotated[str, typer.Option("--category", help="Category code, e.g. general")],
    printer: PrinterOption,
    matter: Annotated[
        str | None, typer.Option("--matter", help="一件事 id or name, e.g. newborn")
    ] = None,
    priority: Annotated[
        PriorityReason | None, typer.Option("--priority", help="elderly, disabled, …")
    ] = None,
    mode: Mode = RenderMode.RASTER,
    paper: Paper = 80,
    qr: Qr = None,
    font: Font = None,
) -> None:
    """Issue one ticket on the server, then print it: for installers and scripts."""
    device = _printer(printer, mode, paper, qr, font)
    try:
        ticket, layout = asyncio.run(_issue(server, token, category, matter, priority))
    except QueueError as error:
        raise _fail(f"未能取号：{error.detail}") from error
    try:
        device.print_ticket(layout)
    except PrinterFault as fault:
        raise _fail(f"已取号 {ticket.number}，但打印失败：{fault}", code=1) from fault
    typer.echo(f"{ticket.number} {ticket.category_name} → {layout.status_url}")


def _sample_layout(
    hall_name: str, number: str, category_name: str, matter: MatterPublic | None, server: str
) -> TicketLayout:
    sample = TicketPublic(
        id=1,
        number=number,
        category="sample",
        category_name=category_name,
        status=TicketStatus.WAITING,
        issued_at=datetime.now(UTC),
        service_day=datetime.now(UTC).date(),
        matter=matter.name if matter else None,
        public_code="K7N3Q2XWPAK7N3Q2",
        ahead=3,
        eta_minutes=15,
    )
    return build_layout(
        sample, hall_name=hall_name, timezone="Asia/Shanghai", server_url=server, matter=matter
    )


@app.command()
def preview(
    output: Annotated[Path, typer.Option("--output", help="The PNG file to write")] = Path(
        "ticket-preview.png"
    ),
    paper: Paper = 80,
    number: Annotated[str, typer.Option("--number")] = "B012",
    category_name: Annotated[str, typer.Option("--category-name")] = "综合受理",
    hall_name: Annotated[str, typer.Option("--hall-name")] = "一门市民服务中心",
    server: Annotated[
        str | None,
        typer.Option("--server", help="Take the hall name and the 一件事 from this server"),
    ] = None,
    token: Annotated[str | None, typer.Option("--token", envvar="YIMEN_KIOSK_TOKEN")] = None,
    matter: Annotated[str | None, typer.Option("--matter", help="一件事 id or name")] = None,
    font: Font = None,
) -> None:
    """Draw a sample ticket as a PNG, exactly as raster mode prints it."""
    from ticket_printer.escpos_output import DOTS_BY_PAPER
    from ticket_printer.raster import render_preview

    if paper not in DOTS_BY_PAPER:
        raise _fail("--paper must be 80 or 58")
    chosen: MatterPublic | None = None
    if server is not None:

        async def fetch() -> tuple[str, list[MatterPublic]]:
            async with QueueClient(server, token=token) as client:
                return (await client.hall()).name, await client.matters()

        try:
            hall_name, matters = asyncio.run(fetch())
        except QueueError as error:
            raise _fail(f"无法读取服务器：{error.detail}") from error
        chosen = _find_matter(matters, matter) if matter else None
    elif matter is not None:
        raise _fail("--matter needs --server (the catalog lives on the server)")
    try:
        cjk = find_cjk_font(font)
    except FontMissing as error:
        raise _fail(str(error)) from error
    layout = _sample_layout(hall_name, number, category_name, chosen, server or "http://yimen")
    image = render_preview(layout, width=DOTS_BY_PAPER[paper], font=cjk)
    image.save(output, format="PNG")
    typer.echo(f"{output} ({image.width}×{image.height})")


def default_device_name() -> str:
    host = "".join(c if c.isalnum() or c in "-_." else "-" for c in socket.gethostname())
    return f"kiosk-{host}"[:64]


@app.command()
def kiosk(
    server: Server,
    token: Token,
    printer: PrinterOption,
    name: Annotated[
        str | None, typer.Option("--name", help="Device name in heartbeats [kiosk-<host>]")
    ] = None,
    mode: Mode = RenderMode.RASTER,
    paper: Paper = 80,
    qr: Qr = None,
    font: Font = None,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log-file", help="Errors go here, never on screen [$TMPDIR/yimen-kiosk.log]"
        ),
    ] = None,
) -> None:
    """Run the touch kiosk full screen.

    Supported terminals: 80×24 (the smallest) and 100×30 or larger, each showing every category.
    """
    log_file = log_file or Path(tempfile.gettempdir()) / "yimen-kiosk.log"
    from ticket_printer.kiosk.app import KioskApp, run_kiosk

    device = _printer(printer, mode, paper, qr, font)
    logging.basicConfig(
        filename=log_file, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )

    def make_app() -> KioskApp:
        client = QueueClient(server, token=token)
        return KioskApp(client, device, device_name=name or default_device_name())

    run_kiosk(make_app, crash_log=log_file)


if __name__ == "__main__":
    app()
