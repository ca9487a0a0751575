"""Dependencies shared by the routers: resources from app.state and the caller's identity."""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from anyio import CapacityLimiter
from fastapi import Depends, Path, Query, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from queue_server.api.params import DIGITS_ONLY
from queue_server.catalog import MatterCatalog
from queue_server.city import CityConfig
from queue_server.config import HallConfig, Settings
from queue_server.db import Database
from queue_server.domain.clock import Clock
from queue_server.domain.enums import Role
from queue_server.domain.errors import NotFound
from queue_server.errors import HallRequired, Unauthenticated, WrongHall, WrongRole
from queue_server.events import EventHub, EventHubs
from queue_server.fresh_answer import FreshAnswer
from queue_server.open_pages import OpenPages
from queue_server.protocol import PublicHall
from queue_server.rate_limit import RateLimiter
from queue_server.services.accounts import Principal, resolve_token
from queue_server.services.scope import Scope
from queue_server.status_fanout import StatusViews
from queue_server.throttle import LoginThrottle
from queue_server.token_cache import TokenCache

ROLE_LABELS = {
    Role.ADMIN: "管理员",
    Role.MANAGER: "管理人员",
    Role.CLERK: "窗口工作人员",
    Role.KIOSK: "取号机",
    Role.BOARD: "显示屏",
    Role.EVALUATOR: "评价器",
    Role.DEVICE: "自助设备",
}


@dataclass(frozen=True, slots=True)
class Resources:
    """Everything a request needs, built once in the app's lifespan."""

    settings: Settings
    city: CityConfig
    db: Database
    hubs: EventHubs
    clock: Clock
    login_throttle: LoginThrottle
    password_checks: CapacityLimiter
    """Bounds how many argon2 password checks run at once (see api/auth.py)."""
    issue_limiter: RateLimiter
    """Tickets per kiosk token: a burst, then a steady rate (api/tickets.py)."""
    booking_limiter: RateLimiter
    """Public booking requests per client address (api/appointments.py)."""
    catalogs: dict[str, MatterCatalog] = field(default_factory=dict)
    """Each hall's 一件事 catalog, by hall code."""
    tokens: TokenCache = field(default_factory=TokenCache)
    """Resolved tokens, for a few seconds (see token_cache.py for how revocation works)."""
    open_pages: OpenPages = field(default_factory=OpenPages)
    """The status pages following each ticket code in this process (capped)."""
    status_views: StatusViews = field(default_factory=StatusViews)
    """Each hall's shared status view while a status page of the hall is open."""
    public_halls: FreshAnswer[tuple[list[PublicHall], bytes]] = field(
        default_factory=lambda: FreshAnswer(seconds=2.0)
    )
    """`GET /api/public/halls`, read and encoded, while no event happens and for at most 2 s
    (the answers for one matter or category are cut from it)."""
    secret_key: bytes | None = None
    """The server's secret (queue_server/secret_key.py); None: the locker's codes are off."""


T = TypeVar("T")


def resolve_hall(city: CityConfig, principal: Principal, wanted: str | None) -> HallConfig:
    """The hall a request acts on: the one named by `hall=`, else the caller's own. A
    city-wide caller must name one when the city has several; a hall-bound caller may name
    only its own."""
    if wanted is not None:
        if wanted not in city.codes:
            raise NotFound(f"没有代码为“{wanted}”的大厅")
        if principal.hall is not None and principal.hall != wanted:
            raise WrongHall(f"本账号属于大厅“{principal.hall}”，不能操作大厅“{wanted}”")
        return city.hall(wanted)
    if principal.hall is not None:
        if principal.hall not in city.codes:
            raise WrongHall(f"本账号所属的大厅“{principal.hall}”不在本市的配置中")
        return city.hall(principal.hall)
    if city.single:
        return city.hall(city.default_code)
    codes = "、".join(city.codes)
    raise HallRequired(f"请用查询参数 hall 指明要操作的大厅（{codes}）")


@dataclass(frozen=True, slots=True)
class Here:
    """A request's caller and the hall it acts on, with the ways to read and change it."""

    principal: Principal
    hall: HallConfig
    resources: Resources

    @property
    def code(self) -> str:
        return self.hall.code

    @property
    def hub(self) -> EventHub:
        return self.resources.hubs[self.code]

    @property
    def catalog(self) -> MatterCatalog:
        return self.resources.catalogs.get(self.code) or MatterCatalog()

    async def read(self, query: Callable[[Scope], T]) -> T:
        """Run `query` on a read session of this hall, at the current time."""
        now = self.resources.clock.now()
        return await self.resources.db.read(
            lambda session: query(Scope(session, self.hall, now, self.principal))
        )

    async def write(self, step: Callable[[Scope], T]) -> T:
        """Run `step` in the hall's next group commit; returns once it has committed."""
        clock = self.resources.clock
        return await self.resources.db.write(
            lambda session: step(Scope(session, self.hall, clock.now(), self.principal)),
            hall=self.code,
        )


async def get_resources(connection: HTTPConnection) -> Resources:
    """Async although it does no I/O: FastAPI runs a plain `def` dependency in its thread
    pool, two thread hand-offs on every request for one attribute read."""
    resources: Resources = connection.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]

_bearer = HTTPBearer(auto_error=False, description="A login token or a device token")


async def authenticate(resources: Resources, token: str | None) -> Principal:
    if not token:
        raise Unauthenticated("需要登录：请提供令牌 (Authorization: Bearer …)")
    now = resources.clock.now()
    cached = resources.tokens.get(token, now)
    if cached is not None:
        return cached
    principal = await resources.db.read(
        lambda session: resolve_token(session=session, token=token, now=now)
    )
    if principal is None:
        raise Unauthenticated("令牌无效或已过期，请重新登录")
    resources.tokens.put(token, principal, principal.expires_at)
    return principal


def require(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that admits callers holding one of `roles`."""
    allowed = frozenset(roles)

    async def dependency(
        resources: ResourcesDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    ) -> Principal:
        principal = await authenticate(resources, credentials.credentials if credentials else None)
        if principal.role not in allowed:
            names = "、".join(ROLE_LABELS[role] for role in roles)
            raise WrongRole(f"{ROLE_LABELS[principal.role]}无权进行此操作（仅限{names}）")
        return principal

    return dependency


HallParameter = Annotated[
    str | None,
    Query(
        max_length=32,
        description="The hall to act on (its code): needed by city-wide callers when the city "
        "has several halls; a hall-bound caller may only name its own",
    ),
]


def at_hall(*roles: Role) -> Callable[..., Coroutine[Any, Any, Here]]:
    """A dependency that admits callers holding one of `roles`, in the hall they may act on."""
    authorised = require(*roles)

    async def dependency(
        principal: Annotated[Principal, Depends(authorised)],
        resources: ResourcesDep,
        hall: HallParameter = None,
    ) -> Here:
        return Here(principal, resolve_hall(resources.city, principal, hall), resources)

    return dependency


ANY_ROLE = tuple(Role)
Anyone = Annotated[Principal, Depends(require(*ANY_ROLE))]
Clerk = Annotated[Principal, Depends(require(Role.CLERK))]
Staff = Annotated[Principal, Depends(require(Role.CLERK, Role.MANAGER, Role.ADMIN))]
"""Hall staff: may read tickets and cancel them."""
Management = Annotated[Principal, Depends(require(Role.MANAGER, Role.ADMIN))]

AnyoneHere = Annotated[Here, Depends(at_hall(*ANY_ROLE))]
ClerkHere = Annotated[Here, Depends(at_hall(Role.CLERK))]
ClerkOrAdminHere = Annotated[Here, Depends(at_hall(Role.CLERK, Role.ADMIN))]
StaffHere = Annotated[Here, Depends(at_hall(Role.CLERK, Role.MANAGER, Role.ADMIN))]
IssuerHere = Annotated[Here, Depends(at_hall(Role.KIOSK, Role.ADMIN))]
DeviceHere = Annotated[Here, Depends(at_hall(Role.KIOSK, Role.BOARD, Role.DEVICE, Role.ADMIN))]
"""Kiosks and boards (and an admin testing a device) report heartbeats."""
ManagementHere = Annotated[Here, Depends(at_hall(Role.MANAGER, Role.ADMIN))]

MAX_DATABASE_ID = 2**31 - 1
"""The largest id a 32-bit INTEGER key holds (PostgreSQL's `integer`)."""

TicketId = Annotated[
    int, Path(ge=1, le=MAX_DATABASE_ID, description="The ticket's id"), DIGITS_ONLY
]
WindowNo = Annotated[int, Path(ge=1, le=999, description="The window's number"), DIGITS_ONLY]
