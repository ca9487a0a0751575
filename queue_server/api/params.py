"""Path and query parameter types that refuse what pydantic would otherwise convert.

Query and path values arrive as text, which pydantic's lax mode reads generously: `0` as the
date 1970-01-01, `1.0` or `+1` as the number 1. docs/api.md promises 422 for a value of the
wrong type, so these accept only the plain spelling (`2026-03-02`, `17`) and then convert.
"""

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE_NUMBER = re.compile(r"-?\d+")


def _plain_day(value: object) -> object:
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


def _plain_whole_number(value: object) -> object:
    if isinstance(value, str) and not _WHOLE_NUMBER.fullmatch(value):
        raise ValueError("expected a whole number in digits")
    return value


Day = Annotated[date, BeforeValidator(_plain_day)]
"""A service day given as `YYYY-MM-DD`, nothing else."""

WholeNumber = Annotated[int, BeforeValidator(_plain_whole_number)]
"""An id, number or limit given in digits, nothing else."""
