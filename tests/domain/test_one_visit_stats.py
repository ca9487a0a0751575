"""一次办成率 counted exactly for a hand-made week."""

import pytest

from queue_server.domain.stats.journeys import CompletedMatter, one_visit_figures

RETIREMENT, NEWBORN = "企业职工退休", "新生儿出生"

WEEK = [
    # Monday–Friday at 综合受理: five matters done at the window, one visit each.
    CompletedMatter("general", RETIREMENT, visits=1),
    CompletedMatter("general", RETIREMENT, visits=1),
    CompletedMatter("general", NEWBORN, visits=1),
    CompletedMatter("general", None, visits=1),
    CompletedMatter("enterprise", None, visits=1),
    # Three 补件 journeys collected at 出件 that week.
    CompletedMatter("general", RETIREMENT, visits=2, days_to_collection=3),
    CompletedMatter("general", RETIREMENT, visits=3, days_to_collection=4),
    CompletedMatter("enterprise", None, visits=2, days_to_collection=2),
]


def test_a_hand_made_week() -> None:
    week = one_visit_figures(WEEK)
    total = week.figures
    assert (total.completed, total.one_visit, total.visits, total.journeys) == (8, 5, 12, 3)
    assert total.visits_per_matter == pytest.approx(12 / 8)
    assert total.one_visit_share == pytest.approx(5 / 8)
    assert total.days_to_collection_mean == pytest.approx(3.0)

    general = week.categories["general"]
    assert (general.figures.completed, general.figures.one_visit, general.figures.visits) == (
        6,
        4,
        9,
    )
    assert general.figures.one_visit_share == pytest.approx(4 / 6)
    assert general.figures.days_to_collection_mean == pytest.approx(3.5)
    retirement = general.matters[RETIREMENT]
    assert (retirement.completed, retirement.one_visit, retirement.visits) == (4, 2, 7)
    assert retirement.visits_per_matter == pytest.approx(7 / 4)
    assert retirement.one_visit_share == pytest.approx(0.5)
    newborn, unnamed = general.matters[NEWBORN], general.matters[None]
    assert (newborn.completed, newborn.one_visit_share, newborn.journeys) == (1, 1.0, 0)
    assert newborn.days_to_collection_mean is None
    assert (unnamed.completed, unnamed.visits) == (1, 1)

    enterprise = week.categories["enterprise"].figures
    assert (enterprise.completed, enterprise.one_visit, enterprise.visits) == (2, 1, 3)
    assert enterprise.days_to_collection_mean == pytest.approx(2.0)


def test_the_city_adds_its_halls_up() -> None:
    city = one_visit_figures(WEEK[:4])
    city.merge(one_visit_figures(WEEK[4:]))
    whole = one_visit_figures(WEEK)
    assert city.figures == whole.figures
    assert city.categories["general"].matters == whole.categories["general"].matters


def test_nothing_completed_has_no_shares() -> None:
    empty = one_visit_figures([]).figures
    assert empty.completed == 0
    assert empty.visits_per_matter is None and empty.one_visit_share is None
    assert empty.days_to_collection_mean is None
