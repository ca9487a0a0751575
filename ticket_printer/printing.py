"""Printing a ticket on a real printer, with faults turned into a state and a message an
applicant and a manager understand. Blocking: call it from a thread."""

import socket
import threading
from typing import Any, Protocol

from queue_server.protocol import DeviceState
from ticket_printer.escpos_output import PrintOptions, RenderMode, write_ticket
from ticket_printer.fonts import CjkFont
from ticket_printer.layout import TicketLayout
from ticket_printer.printers import (
    NETWORK_TIMEOUT_SECONDS,
    Connection,
    PrinterSpec,
    file_printer_writable,
    open_printer,
)

STATUS_PAPER = b"\x10\x04\x04"
"""DLE EOT 4: the paper roll sensor."""
STATUS_OFFLINE_CAUSE = b"\x10\x04\x02"
"""DLE EOT 2: why the printer is offline (bit 2: the cover is open)."""
PAPER_OUT_BITS = 0x60
COVER_OPEN_BIT = 0x04

FAULT_MESSAGES = {
    DeviceState.PAPER_OUT: "打印机缺纸",
    DeviceState.COVER_OPEN: "打印机盖未关好",
    DeviceState.PRINTER_OFFLINE: "打印机未连接",
    DeviceState.PRINTER_ERROR: "打印机故障",
}


class PrinterFault(Exception):
    """The ticket could not be printed; `message` is for the applicant's screen."""

    def __init__(self, state: DeviceState, detail: str = "") -> None:
        self.state = state
        self.message = FAULT_MESSAGES.get(state, "打印机故障")
        self.detail = detail
        super().__init__(f"{self.message}: {detail}" if detail else self.message)


class Printer(Protocol):
    """What the kiosk needs of a printer (a test may pass a recording fake)."""

    def print_ticket(self, layout: TicketLayout) -> None: ...

    def check(self) -> tuple[DeviceState, str | None]: ...


def _classify(error: Exception) -> DeviceState:
    from escpos.exceptions import DeviceNotFoundError

    if isinstance(error, DeviceNotFoundError | ConnectionError | FileNotFoundError):
        return DeviceState.PRINTER_OFFLINE
    if isinstance(error, OSError) and "timed out" in str(error).lower():
        return DeviceState.PRINTER_OFFLINE
    return DeviceState.PRINTER_ERROR


def _reachable(spec: PrinterSpec) -> None:
    """Connect to a network printer once first: python-escpos leaks its socket when the
    printer does not answer."""
    if spec.connection is Connection.NETWORK and spec.port is not None:
        with socket.create_connection((spec.target, spec.port), NETWORK_TIMEOUT_SECONDS):
            pass


def _ask(device: Any, command: bytes) -> int | None:
    """One status byte, or None when the printer does not answer status queries."""
    try:
        reply = device.query_status(command)
    except NotImplementedError:
        return None
    return reply[0] if reply else None


class EscposPrinter:
    """A printer named by a `--printer` spec, opened afresh for every ticket so that a
    printer unplugged and plugged back in works again at the next ticket."""

    def __init__(self, spec: PrinterSpec, options: PrintOptions, font: CjkFont | None) -> None:
        if options.mode is RenderMode.RASTER and font is None:
            raise ValueError("raster mode needs a CJK font")
        self.spec = spec
        self.options = options
        self.font = font
        self.last_output = b""
        """What the last ticket sent, for the dummy printer."""
        self._lock = threading.Lock()
        """One conversation with the printer at a time: a heartbeat's status query must not
        cut into a ticket being printed."""

    def _status(self, device: Any) -> DeviceState:
        if self.spec.connection in (Connection.FILE, Connection.DUMMY):
            return DeviceState.OK
        paper = _ask(device, STATUS_PAPER)
        if paper is not None and paper & PAPER_OUT_BITS == PAPER_OUT_BITS:
            return DeviceState.PAPER_OUT
        cause = _ask(device, STATUS_OFFLINE_CAUSE)
        if cause is not None and cause & COVER_OPEN_BIT:
            return DeviceState.COVER_OPEN
        return DeviceState.OK

    def print_ticket(self, layout: TicketLayout) -> None:
        with self._lock:
            self._print(layout)

    def _print(self, layout: TicketLayout) -> None:
        device: Any = None
        try:
            _reachable(self.spec)
            device = open_printer(self.spec, dots=self.options.dots)
            state = self._status(device)
            if state is not DeviceState.OK:
                raise PrinterFault(state)
            write_ticket(device, layout, self.options, self.font)
            if self.spec.connection is Connection.DUMMY:
                self.last_output = device.output
            device, closing = None, device
            closing.close()
        except PrinterFault:
            raise
        except Exception as error:
            raise PrinterFault(_classify(error), str(error)) from error
        finally:
            if device is not None:
                device.close()

    def check(self) -> tuple[DeviceState, str | None]:
        """The printer's state for the heartbeat, without printing anything."""
        with self._lock:
            return self._check()

    def _check(self) -> tuple[DeviceState, str | None]:
        if self.spec.connection is Connection.DUMMY:
            return DeviceState.OK, None
        if self.spec.connection is Connection.FILE:
            if file_printer_writable(self.spec):
                return DeviceState.OK, None
            return DeviceState.PRINTER_OFFLINE, f"无法写入 {self.spec.target}"
        device: Any = None
        try:
            _reachable(self.spec)
            device = open_printer(self.spec, dots=self.options.dots)
            device.open()
            state = self._status(device)
        except Exception as error:
            return _classify(error), str(error)[:200]
        finally:
            if device is not None:
                device.close()
        return state, FAULT_MESSAGES.get(state)
