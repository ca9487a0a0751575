"""Correctness checks made alongside the measurements, each reported as passed or failed."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}
