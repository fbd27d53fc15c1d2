"""Mean and spread over seeds of every metric, per task x backbone x training mode."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Stat:
    """Mean and sample standard deviation (n - 1) over seeds; ``std`` is None for one value."""

    mean: float
    std: float | None
    n: int


@dataclass(frozen=True)
class GroupSummary:
    """The runs of one backbone in one mode on one task, summarised metric by metric."""

    task: str
    backbone: str
    mode: str
    seeds: list[Any]
    stats: dict[str, Stat]


def mean_std(values: Sequence[float]) -> Stat:
    """Mean and sample standard deviation: seeds are a sample of the runs one could have made."""
    if not values:
        raise ValueError("mean_std needs at least one value")
    std = statistics.stdev(values) if len(values) > 1 else None
    return Stat(statistics.fmean(values), std, len(values))


def summarise(records: Iterable[Mapping[str, Any]]) -> list[GroupSummary]:
    """One `GroupSummary` per (task, backbone, mode), in order of first appearance.

    A metric missing from a run, or not a finite number there, is left out of that run's group
    for that metric only (``Stat.n`` says how many runs it covers).
    """
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for record in records:
        key = (record["task"], record["backbone"], record["mode"])
        groups.setdefault(key, []).append(record)
    summaries = []
    for (task, backbone, mode), runs in groups.items():
        names = dict.fromkeys(name for run in runs for name in run["metrics"])
        stats = {}
        for name in names:
            values = [run["metrics"].get(name) for run in runs]
            numbers = [float(v) for v in values if _is_number(v)]
            if numbers:
                stats[name] = mean_std(numbers)
        seeds = [run.get("seed") for run in runs]
        summaries.append(GroupSummary(task, backbone, mode, seeds, stats))
    return summaries


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
