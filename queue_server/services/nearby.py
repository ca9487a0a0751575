"""就近办: the public list of halls narrowed to those that can take one matter (or serve one
category), each with that queue's wait, best first. Works on the city's public list as
`services/city.public_halls` reads it, so it shares that answer's cache."""

from collections.abc import Mapping, Sequence

from queue_server.catalog import Matter, MatterCatalog
from queue_server.domain.errors import NotFound
from queue_server.domain.nearby import Handling, MatterAtHall, Offer, Wait, best_first, offers
from queue_server.protocol import PublicHall, PublicHallChoice


def _entries(
    matter_id: str, halls: Sequence[PublicHall], catalogs: Mapping[str, MatterCatalog]
) -> list[MatterAtHall]:
    entries = []
    for hall in halls:
        catalog = catalogs.get(hall.code)
        matter: Matter | None = catalog.by_key.get(matter_id) if catalog else None
        if matter is None or matter.id != matter_id:
            continue
        entries.append(
            MatterAtHall(
                hall=hall.code,
                category=matter.category,
                modes=frozenset(matter.cross_region),
                deciding_halls=(
                    frozenset(matter.deciding_halls) if matter.deciding_halls is not None else None
                ),
            )
        )
    return entries


def _choice(hall: PublicHall, offer: Offer) -> PublicHallChoice | None:
    category = next((c for c in hall.categories if c.code == offer.category), None)
    if category is None:
        return None
    return PublicHallChoice(
        **hall.model_dump(),
        category=category.code,
        category_name=category.name,
        waiting=category.waiting,
        eta_minutes=category.eta_minutes,
        category_open=category.open,
        handling=offer.handling,
        cross_region=sorted(offer.modes),
    )


def _best_first(choices: list[PublicHallChoice]) -> list[PublicHallChoice]:
    waits = [
        Wait(c.code, c.eta_minutes, open=c.category_open, handling=c.handling) for c in choices
    ]
    by_wait = {id(wait): choice for wait, choice in zip(waits, choices, strict=True)}
    return [by_wait[id(wait)] for wait in best_first(waits)]


def halls_for_matter(
    halls: Sequence[PublicHall], *, catalogs: Mapping[str, MatterCatalog], matter: str
) -> list[PublicHallChoice]:
    """The halls that can take `matter` (its id), best first; NotFound when no hall of the
    city has it in its catalog."""
    entries = _entries(matter, halls, catalogs)
    if not entries:
        raise NotFound(f"本市没有编号为“{matter}”的事项")
    by_code = {hall.code: hall for hall in halls}
    found = offers(entries, city_halls=list(by_code))
    choices = [_choice(by_code[offer.hall], offer) for offer in found]
    return _best_first([choice for choice in choices if choice is not None])


def halls_for_category(halls: Sequence[PublicHall], *, category: str) -> list[PublicHallChoice]:
    """The halls with a category of this code, best first; NotFound when none has it."""
    choices = [
        _choice(hall, Offer(hall.code, category, Handling.HERE, frozenset())) for hall in halls
    ]
    found = [choice for choice in choices if choice is not None]
    if not found:
        raise NotFound(f"本市没有代码为“{category}”的业务类别")
    return _best_first(found)
