"""How often each topic arrives over time: messages per topic per day, week or month.

Dumps are uneven (a report day may hold three times the messages of another), so a topic's trend
is read from its share of each period's messages, not from its raw count: `change` fits a line
through the shares over calendar time and says how much the share moved from the first period to
the last, relative to its mean share (+1.0: the fitted share grew by its own mean).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

PERIODS = ("day", "week", "month")
# "auto" draws one point per day up to this many days, then per week, then per month.
MAX_POINTS = 31


@dataclass(frozen=True)
class Trends:
    """Messages per topic (rows) and period (columns), the periods' totals and first days."""

    period: str
    labels: tuple[str, ...]
    starts: tuple[date, ...]
    counts: np.ndarray
    totals: np.ndarray

    def shares(self) -> np.ndarray:
        """Each topic's share of each period's messages."""
        return self.counts / np.maximum(self.totals, 1)

    def change(self, topic: int) -> float | None:
        """Fitted change of the topic's share from first to last period, over its mean share.

        None with fewer than two periods or a topic that never occurs.
        """
        shares = self.shares()[topic]
        if len(self.labels) < 2 or shares.mean() == 0:
            return None
        days = np.array([start.toordinal() for start in self.starts], dtype=np.float64)
        slope = np.polyfit(days - days[0], shares, 1)[0]
        return float(slope * (days[-1] - days[0]) / shares.mean())


def period_start(day: date, period: str) -> date:
    """The first day of the period that holds `day` (weeks start on Monday)."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown period {period!r}; choose from {PERIODS}")


def period_label(start: date, period: str) -> str:
    """ "2022-08-14", "2022-W32" or "2022-08"."""
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.isoformat() if period == "day" else start.strftime("%Y-%m")


def choose_period(days: Sequence[date]) -> str:
    """The finest period that draws at most `MAX_POINTS` points for these days."""
    for period in PERIODS[:-1]:
        if len({period_start(day, period) for day in days}) <= MAX_POINTS:
            return period
    return PERIODS[-1]


def topic_trends(
    row_topics: np.ndarray, days: Sequence[str], topics: int, period: str = "auto"
) -> Trends:
    """Count the rows of topics 0..`topics`-1 per period; rows of other topics count in totals.

    `days` are ISO dates, one per row; `period` is "day", "week", "month" or "auto".
    """
    row_topics = np.asarray(row_topics)
    if row_topics.size != len(days):
        raise ValueError(f"{row_topics.size} topics for {len(days)} days: one each per row")
    distinct_days = sorted({date.fromisoformat(day) for day in days})
    if period == "auto":
        period = choose_period(distinct_days)
    starts = sorted({period_start(day, period) for day in distinct_days})
    column = {start: index for index, start in enumerate(starts)}
    day_column = {day.isoformat(): column[period_start(day, period)] for day in distinct_days}
    row_columns = np.fromiter((day_column[day] for day in days), np.int64, len(days))
    totals = np.bincount(row_columns, minlength=len(starts))
    counts = np.zeros((topics, len(starts)), dtype=np.int64)
    shown = (row_topics >= 0) & (row_topics < topics)
    np.add.at(counts, (row_topics[shown], row_columns[shown]), 1)
    labels = tuple(period_label(start, period) for start in starts)
    return Trends(period, labels, tuple(starts), counts, totals)
