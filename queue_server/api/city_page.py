"""`/city`: the public 就近办 page for a phone — every hall's live waits and, after picking a
一件事, where to go now. No token and no personal data: it reads `GET /api/public/halls`.

The page is static HTML shipped in `queue_server/web/city/` with the city's name and the
matters of its halls' catalogs rendered in (so the picker works before any script runs);
its style sheet and script are served from `/city/assets/`.
"""

from collections.abc import Iterable
from functools import cache
from html import escape
from importlib.resources import files
from typing import Final, Literal

from fastapi import APIRouter, Response

from queue_server.api.deps import ResourcesDep
from queue_server.api.page_headers import ASSET_HEADERS, PAGE_HEADERS
from queue_server.catalog import Matter, MatterCatalog

router = APIRouter(tags=["city page"])

PAGE_PATH: Final = "/city"
ASSETS: Final[dict[str, str]] = {
    "city.css": "text/css; charset=utf-8",
    "city.js": "text/javascript; charset=utf-8",
}


@cache
def _asset(name: str) -> str:
    return files("queue_server").joinpath("web", "city", name).read_text(encoding="utf-8")


def city_matters(catalogs: Iterable[MatterCatalog]) -> list[Matter]:
    """Every matter offered by some hall, once, in the order the halls' catalogs list them."""
    seen: dict[str, Matter] = {}
    for catalog in catalogs:
        for matter in catalog.matters:
            seen.setdefault(matter.id, matter)
    return list(seen.values())


def render_city_page(template: str, *, city_name: str, matters: Iterable[Matter]) -> str:
    options = "\n".join(
        f'<option value="{escape(matter.id)}">{escape(matter.name)}</option>' for matter in matters
    )
    return template.replace("{{city}}", escape(city_name)).replace("{{matters}}", options)


@router.get(PAGE_PATH, response_class=Response)
async def city_page(resources: ResourcesDep) -> Response:
    """The page itself (public)."""
    catalogs = [
        resources.catalogs[code] for code in resources.city.codes if code in resources.catalogs
    ]
    page = render_city_page(
        _asset("index.html"), city_name=resources.city.name, matters=city_matters(catalogs)
    )
    return Response(page, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get("/city/assets/{name}", response_class=Response)
async def city_asset(name: Literal["city.css", "city.js"]) -> Response:
    """Public: the page's style and script (no data in them)."""
    return Response(_asset(name), media_type=ASSETS[name], headers=ASSET_HEADERS)
