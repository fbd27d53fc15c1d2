"""Message dates over a range, with a linear trend per kind so corpus reports have trends to plot."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"date range ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def parse(cls, start: str | date, end: str | date) -> DateRange:
        """Build from ISO strings (`2022-01-01`) or dates."""
        return cls(_as_date(start, "start"), _as_date(end, "end"))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def sample(self, rng: Random, trend: float) -> date:
        """A day whose density rises linearly over the range (`trend` > 0) or falls (< 0).

        The density is proportional to 1 + trend * (2t - 1) for t in [0, 1]: with trend 0.8 the
        last day is nine times as likely as the first. Sampled by inverting its CDF.
        """
        u = rng.random()
        if abs(trend) < 1e-9:
            t = u
        else:
            t = (-(1 - trend) + math.sqrt((1 - trend) ** 2 + 4 * trend * u)) / (2 * trend)
        return self.start + timedelta(days=min(int(t * self.days), self.days - 1))


def _as_date(value: str | date, which: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{which} date {value!r} is not ISO YYYY-MM-DD") from error
