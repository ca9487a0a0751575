"""The city's halls: a live summary of each for managers, and a public list for anyone —
narrowed, for 就近办, to the halls that can take one matter, quickest first."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from queue_server.api.deps import Management, Resources, ResourcesDep
from queue_server.api.page_headers import PAGE_HEADERS
from queue_server.city import CityConfig, CityHall
from queue_server.errors import WrongHall
from queue_server.protocol import HallSummary, PublicHall, PublicHallChoice
from queue_server.services.city import hall_summaries, public_halls
from queue_server.services.nearby import halls_for_category, halls_for_matter
from queue_server.services.views import newest_seq

router = APIRouter(prefix="/api", tags=["halls"])

PUBLIC_HALLS_TYPE = "application/json"
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"

MatterQuery = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=CODE_PATTERN,
        description="就近办: only the halls that can take this matter (its id in "
        "`GET /api/matters`), each with the queue of the category that serves it, quickest first",
    ),
]
CategoryQuery = Annotated[
    str | None,
    Query(
        max_length=32,
        pattern=CODE_PATTERN,
        description="Only the halls with this category, with its queue, quickest first",
    ),
]


def halls_visible(city: CityConfig, caller_hall: str | None) -> tuple[CityHall, ...]:
    """The halls a manager or admin may see: every hall, in city order, for a city-wide
    caller; only its own for a hall-bound one."""
    if caller_hall is None:
        return city.halls
    if caller_hall not in city.codes:
        raise WrongHall(f"本账号所属的大厅“{caller_hall}”不在本市的配置中")
    return (city.entry(caller_hall),)


@router.get("/halls", response_model=list[HallSummary])
async def halls(principal: Management, resources: ResourcesDep) -> list[HallSummary]:
    """Every hall the caller may see, live. City-wide: it takes no `hall=`."""
    visible = halls_visible(resources.city, principal.hall)
    now = resources.clock.now()
    return await resources.db.read(lambda session: hall_summaries(session, halls=visible, now=now))


async def _public_halls(resources: Resources) -> tuple[list[PublicHall], bytes]:
    """The list and its encoding, reused while no event has happened anywhere in the city
    (one indexed query) and for at most a couple of seconds (estimates move with the clock)."""
    now = resources.clock.now()
    cache = resources.public_halls

    def read(session: Session) -> tuple[list[PublicHall], bytes]:
        seq = newest_seq(session)
        cached = cache.get(seq, now)
        if cached is not None:
            return cached
        listed = public_halls(session, halls=resources.city.halls, now=now)
        body = b"[" + b",".join(hall.model_dump_json().encode() for hall in listed) + b"]"
        cache.put(seq, now, (listed, body))
        return listed, body

    return await resources.db.read(read)


@router.get(
    "/public/halls",
    response_model=list[PublicHall] | list[PublicHallChoice],
    responses={200: {"content": {PUBLIC_HALLS_TYPE: {}}}},
)
async def public_halls_list(
    resources: ResourcesDep, matter: MatterQuery = None, category: CategoryQuery = None
) -> Response:
    """Every hall for the public: no token needed (one sent is ignored), no personal data.

    With `matter=ID` (or `category=CODE`): only the halls that can take it — at home (`handling`
    `here`) or for the hall that decides it (`cross_region`) — each with the waiting count and
    estimate of the category that serves it there, quickest first; halls that cannot serve it
    now last; `matter` wins when both are given. A matter no hall of the city has → 404."""
    listed, body = await _public_halls(resources)
    if matter is not None or category is not None:
        chosen = (
            halls_for_matter(listed, catalogs=resources.catalogs, matter=matter)
            if matter is not None
            else halls_for_category(listed, category=category or "")
        )
        body = b"[" + b",".join(hall.model_dump_json().encode() for hall in chosen) + b"]"
    return Response(body, media_type=PUBLIC_HALLS_TYPE, headers=PAGE_HEADERS)
