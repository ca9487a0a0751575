"""`/book`: the public booking page (预约取号) for a phone — pick hall, category, matter, day
and slot, give the ID number, and get a booking code as large text and as a QR code.

The page is static HTML shipped in `queue_server/web/book/`; its script reads
`GET /api/public/appointments/options` and `/slots` and books with
`POST /api/public/appointments`. The QR code is drawn here, as SVG (`/book/qr/{code}`):
the page fetches nothing from elsewhere."""

from functools import cache
from importlib.resources import files
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Path, Response

from queue_server.api.page_headers import ASSET_HEADERS, PAGE_HEADERS
from queue_server.qr_svg import qr_svg

router = APIRouter(tags=["book page"])

PAGE_PATH: Final = "/book"
ASSETS: Final[dict[str, str]] = {
    "book.css": "text/css; charset=utf-8",
    "book.js": "text/javascript; charset=utf-8",
}
BookingCode = Annotated[
    str, Path(pattern=r"^[A-Z0-9]{4,16}$", description="A booking code, as the booking gave it")
]


@cache
def _asset(name: str) -> str:
    return files("queue_server").joinpath("web", "book", name).read_text(encoding="utf-8")


@router.get(PAGE_PATH, response_class=Response)
async def book_page() -> Response:
    """The page itself (public; it holds no data until its script asks)."""
    page = _asset("index.html")
    return Response(page, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get("/book/assets/{name}", response_class=Response)
async def book_asset(name: Literal["book.css", "book.js"]) -> Response:
    """Public: the page's style and script (no data in them)."""
    return Response(_asset(name), media_type=ASSETS[name], headers=ASSET_HEADERS)


@router.get("/book/qr/{code}", response_class=Response)
async def booking_qr(code: BookingCode) -> Response:
    """The QR code of a booking code (SVG), for the kiosk's reader to scan off the phone. It
    draws any well-formed code without looking it up: it tells nothing about bookings."""
    return Response(qr_svg(code), media_type="image/svg+xml", headers=PAGE_HEADERS)
