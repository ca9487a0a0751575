"""一次办成率: how many matters a hall completed in a period, in how many visits, and how long
the 补件 ones took from the first visit to 出件 — per category and per matter. Pure: the shell
hands in the completed matters as plain records.

A matter is completed by either
- a ticket finished `resolved` that belongs to no journey: one visit; or
- a journey `collected` at 出件: its service visits are the first visit and each return
  visit served (the 出件 collection itself is not a service visit), and its days are those
  from the first visit's day to the day of collection.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CompletedMatter:
    category: str
    matter: str | None
    """The catalog name of the 一件事, None when none was chosen."""
    visits: int
    days_to_collection: int | None = None
    """A journey's days from its first visit to 出件; None for a matter done at the window."""


@dataclass(slots=True)
class OneVisitFigures:
    """The counts of a group of completed matters and what follows from them."""

    completed: int = 0
    one_visit: int = 0
    visits: int = 0
    journeys: int = 0
    journey_days: int = 0

    def add(self, matter: CompletedMatter) -> None:
        self.completed += 1
        self.visits += matter.visits
        if matter.visits == 1:
            self.one_visit += 1
        if matter.days_to_collection is not None:
            self.journeys += 1
            self.journey_days += matter.days_to_collection

    def merge(self, other: "OneVisitFigures") -> None:
        self.completed += other.completed
        self.one_visit += other.one_visit
        self.visits += other.visits
        self.journeys += other.journeys
        self.journey_days += other.journey_days

    @property
    def visits_per_matter(self) -> float | None:
        return self.visits / self.completed if self.completed else None

    @property
    def one_visit_share(self) -> float | None:
        """一次办成率: the share of completed matters done in one visit."""
        return self.one_visit / self.completed if self.completed else None

    @property
    def days_to_collection_mean(self) -> float | None:
        return self.journey_days / self.journeys if self.journeys else None


@dataclass(slots=True)
class CategoryFigures:
    figures: OneVisitFigures = field(default_factory=OneVisitFigures)
    matters: dict[str | None, OneVisitFigures] = field(default_factory=dict)


@dataclass(slots=True)
class HallFigures:
    """A hall's (or the city's) figures: all of it, per category, and per matter in each."""

    figures: OneVisitFigures = field(default_factory=OneVisitFigures)
    categories: dict[str, CategoryFigures] = field(default_factory=dict)

    def merge(self, other: "HallFigures") -> None:
        self.figures.merge(other.figures)
        for code, theirs in other.categories.items():
            ours = self.categories.setdefault(code, CategoryFigures())
            ours.figures.merge(theirs.figures)
            for matter, figures in theirs.matters.items():
                ours.matters.setdefault(matter, OneVisitFigures()).merge(figures)


def one_visit_figures(matters: Iterable[CompletedMatter]) -> HallFigures:
    """The completed matters counted in total, per category and per matter."""
    hall = HallFigures()
    for matter in matters:
        hall.figures.add(matter)
        category = hall.categories.setdefault(matter.category, CategoryFigures())
        category.figures.add(matter)
        category.matters.setdefault(matter.matter, OneVisitFigures()).add(matter)
    return hall
