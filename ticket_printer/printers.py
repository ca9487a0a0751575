"""Printer specifications (`--printer usb:VID:PID`, `net:HOST[:PORT]`, `serial:DEV[:BAUD]`,
`file:PATH`, `dummy`) and opening them as python-escpos printers."""

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

USB_TIMEOUT_MS = 5000
NETWORK_TIMEOUT_SECONDS = 10.0
SERIAL_TIMEOUT_SECONDS = 5.0
DEFAULT_NETWORK_PORT = 9100
DEFAULT_BAUD_RATE = 9600

SPEC_HELP = "usb:VID:PID[:IN_EP:OUT_EP], net:HOST[:PORT], serial:DEV[:BAUD], file:PATH, dummy"


class Connection(StrEnum):
    USB = "usb"
    NETWORK = "net"
    SERIAL = "serial"
    FILE = "file"
    DUMMY = "dummy"


class BadPrinterSpec(ValueError):
    """A `--printer` value that names no printer; the message says what is expected."""


@dataclass(frozen=True, slots=True)
class PrinterSpec:
    connection: Connection
    target: str = ""
    """Host, device file or path."""
    port: int | None = None
    """Network port, or serial baud rate."""
    vendor_id: int | None = None
    product_id: int | None = None
    in_endpoint: int | None = None
    out_endpoint: int | None = None

    def __str__(self) -> str:
        if self.connection is Connection.USB:
            return f"usb:{self.vendor_id:04x}:{self.product_id:04x}"
        if self.connection is Connection.DUMMY:
            return "dummy"
        suffix = f":{self.port}" if self.port is not None else ""
        return f"{self.connection.value}:{self.target}{suffix}"


def _hex(value: str, what: str, spec: str) -> int:
    try:
        return int(value, 16)
    except ValueError as error:
        raise BadPrinterSpec(f"{spec}: {what} {value!r} is not a hexadecimal number") from error


def _number(value: str, what: str, spec: str) -> int:
    if not value.isdigit():
        raise BadPrinterSpec(f"{spec}: {what} {value!r} is not a number")
    return int(value)


def parse_printer_spec(spec: str) -> PrinterSpec:
    kind, _, rest = spec.strip().partition(":")
    if kind == "dummy" and not rest:
        return PrinterSpec(Connection.DUMMY)
    if kind == "file" and rest:
        return PrinterSpec(Connection.FILE, rest)
    if kind == "usb":
        parts = rest.split(":")
        if len(parts) not in (2, 4):
            raise BadPrinterSpec(f"{spec}: expected usb:VID:PID or usb:VID:PID:IN_EP:OUT_EP")
        ids = [_hex(part, "id", spec) for part in parts]
        return PrinterSpec(
            Connection.USB,
            vendor_id=ids[0],
            product_id=ids[1],
            in_endpoint=ids[2] if len(ids) == 4 else None,
            out_endpoint=ids[3] if len(ids) == 4 else None,
        )
    if kind == "net" and rest:
        host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
        return PrinterSpec(
            Connection.NETWORK,
            host or rest,
            _number(port, "port", spec) if port else DEFAULT_NETWORK_PORT,
        )
    if kind == "serial" and rest:
        device, _, baud = rest.partition(":")
        return PrinterSpec(
            Connection.SERIAL,
            device,
            _number(baud, "baud rate", spec) if baud else DEFAULT_BAUD_RATE,
        )
    raise BadPrinterSpec(f"{spec!r} is not a printer; use one of: {SPEC_HELP}")


def _connect(spec: PrinterSpec) -> Any:
    from escpos import printer

    if spec.connection is Connection.DUMMY:
        return printer.Dummy()
    if spec.connection is Connection.FILE:
        return printer.File(devfile=spec.target, auto_flush=False)
    if spec.connection is Connection.NETWORK:
        return printer.Network(host=spec.target, port=spec.port, timeout=NETWORK_TIMEOUT_SECONDS)
    if spec.connection is Connection.SERIAL:
        return printer.Serial(
            devfile=spec.target, baudrate=spec.port, timeout=SERIAL_TIMEOUT_SECONDS
        )
    endpoints: dict[str, int] = {}
    if spec.in_endpoint is not None and spec.out_endpoint is not None:
        endpoints = {"in_ep": spec.in_endpoint, "out_ep": spec.out_endpoint}
    return printer.Usb(
        idVendor=spec.vendor_id, idProduct=spec.product_id, timeout=USB_TIMEOUT_MS, **endpoints
    )


def open_printer(spec: PrinterSpec, *, dots: int) -> Any:
    """A python-escpos printer object for `spec` (not yet connected: it connects on first
    write), told its paper is `dots` wide. The library is untyped, hence `Any`.

    The default profile leaves the paper width unknown, and python-escpos then prints a
    warning to stdout for every image, which would scribble over the kiosk's screen."""
    device = _connect(spec)
    profile = device.profile
    data = dict(profile.profile_data)
    data["media"] = {**data.get("media", {}), "width": {"mm": "Unknown", "pixels": dots}}
    profile.profile_data = data
    return device


def file_printer_writable(spec: PrinterSpec) -> bool:
    """Whether a file printer's path can be written, without opening (and emptying) it."""
    path = Path(spec.target)
    if path.exists():
        return os.access(path, os.W_OK)
    return path.parent.is_dir() and os.access(path.parent, os.W_OK)
