"""就近办: which halls can take a matter, and which of them is quickest now."""

from queue_server.domain.cross_region import CrossRegionMode
from queue_server.domain.nearby import (
    Handling,
    MatterAtHall,
    Offer,
    Wait,
    best_first,
    handling_at,
    offers,
    quicker_elsewhere,
)

CITY = ("main", "kangbashi", "ejinhoro")
ACCEPT = frozenset({CrossRegionMode.REMOTE_ACCEPT})


def at(
    hall: str, *, modes: frozenset[CrossRegionMode] = ACCEPT, deciders: set[str] | None = None
) -> MatterAtHall:
    return MatterAtHall(
        hall=hall,
        category="general",
        modes=modes,
        deciding_halls=frozenset(deciders) if deciders is not None else None,
    )


def test_every_hall_decides_a_matter_without_deciding_halls() -> None:
    assert [o.handling for o in offers([at(h) for h in CITY], city_halls=CITY)] == [
        Handling.HERE
    ] * 3


def test_a_hall_that_does_not_decide_takes_it_across_the_city_in_the_matters_modes() -> None:
    found = offers([at(h, deciders={"main"}) for h in CITY], city_halls=CITY)
    assert found == [
        Offer("main", "general", Handling.HERE, frozenset()),
        Offer("kangbashi", "general", Handling.CROSS_REGION, ACCEPT),
        Offer("ejinhoro", "general", Handling.CROSS_REGION, ACCEPT),
    ]


def test_no_cross_region_modes_means_only_the_deciding_hall() -> None:
    found = offers(
        [at(h, modes=frozenset(), deciders={"kangbashi"}) for h in CITY], city_halls=CITY
    )
    assert [(o.hall, o.handling) for o in found] == [("kangbashi", Handling.HERE)]


def test_nobody_takes_it_across_the_city_when_no_hall_of_the_city_decides_it() -> None:
    assert handling_at(at("main", deciders={"elsewhere"}), city_halls=CITY) is None
    assert offers([at(h, deciders={"elsewhere"}) for h in CITY], city_halls=CITY) == []


def test_a_hall_without_the_matter_in_its_catalog_is_not_offered() -> None:
    found = offers([at("main"), at("ejinhoro")], city_halls=CITY)
    assert [o.hall for o in found] == ["main", "ejinhoro"]


def test_best_first_shortest_wait_then_halls_that_cannot_serve_now() -> None:
    waits = [
        Wait("main", None),
        Wait("kangbashi", 30),
        Wait("ejinhoro", 5, open=False),
        Wait("dongsheng", 10),
    ]
    assert [w.hall for w in best_first(waits)] == ["dongsheng", "kangbashi", "main", "ejinhoro"]


def test_best_first_prefers_the_deciding_hall_then_city_order_at_equal_waits() -> None:
    waits = [
        Wait("main", 10, handling=Handling.CROSS_REGION),
        Wait("kangbashi", 10),
        Wait("ejinhoro", 10),
    ]
    assert [w.hall for w in best_first(waits)] == ["kangbashi", "ejinhoro", "main"]


def test_quicker_elsewhere_only_above_target_and_at_least_fifteen_minutes_sooner() -> None:
    waits = [Wait("main", 50), Wait("kangbashi", 35), Wait("ejinhoro", 40)]
    suggested = quicker_elsewhere(here="main", eta_minutes=50, target_wait_minutes=30, waits=waits)
    assert suggested is not None and suggested.hall == "kangbashi"
    within_target = quicker_elsewhere(
        here="main", eta_minutes=30, target_wait_minutes=30, waits=waits
    )
    assert within_target is None
    fourteen_sooner = [Wait("main", 50), Wait("kangbashi", 36)]
    assert (
        quicker_elsewhere(
            here="main", eta_minutes=50, target_wait_minutes=30, waits=fourteen_sooner
        )
        is None
    )


def test_quicker_elsewhere_skips_this_hall_and_halls_that_cannot_serve_now() -> None:
    waits = [Wait("main", 0), Wait("kangbashi", 1, open=False), Wait("ejinhoro", None)]
    assert (
        quicker_elsewhere(here="main", eta_minutes=60, target_wait_minutes=30, waits=waits) is None
    )
    assert (
        quicker_elsewhere(here="main", eta_minutes=None, target_wait_minutes=30, waits=waits)
        is None
    )
