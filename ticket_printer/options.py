"""The printer options every command shares, turned into a printer."""

from pathlib import Path

from ticket_printer.escpos_output import PrintOptions, QrMode, RenderMode
from ticket_printer.fonts import find_cjk_font
from ticket_printer.printers import parse_printer_spec
from ticket_printer.printing import EscposPrinter


def make_printer(
    spec: str,
    *,
    mode: RenderMode = RenderMode.RASTER,
    paper_mm: int = 80,
    qr: QrMode | None = None,
    font: Path | None = None,
) -> EscposPrinter:
    """Raises BadPrinterSpec, FontMissing or ValueError with a readable message."""
    options = PrintOptions(mode=mode, paper_mm=paper_mm, qr=qr)
    cjk = find_cjk_font(font) if mode is RenderMode.RASTER else None
    return EscposPrinter(parse_printer_spec(spec), options, cjk)
