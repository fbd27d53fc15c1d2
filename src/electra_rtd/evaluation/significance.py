"""Paired tests between backbones: is a difference in a task's test metric more than seed noise?

Why: with three seeds a mean difference of 0.01 can be noise; the runs of two backbones with the
same seed see the same batches in the same order on the same split (only the initial weights
differ), so each seed is a pair, and a paired t-test over the seeds (`scipy.stats.ttest_rel`,
two-sided) asks whether the mean of the per-seed differences is zero. With n seeds it has n - 1
degrees of freedom: three seeds detect only differences large against their spread.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scipy.stats import ttest_rel


@dataclass(frozen=True)
class PairedComparison:
    """``first`` against ``second`` on one task and mode, over the seeds both ran."""

    task: str
    mode: str
    metric: str
    first: str
    second: str
    seeds: list[int]
    mean_difference: float  # first - second, averaged over the seeds
    t: float | None  # None: fewer than two seeds, or differences without spread
    p_value: float | None


def paired_comparisons(
    records: Iterable[Mapping[str, Any]],
    task_metrics: Mapping[str, str],
    pairs: Sequence[tuple[str, str]],
) -> list[PairedComparison]:
    """For every task (its metric from ``task_metrics``), mode and pair of backbones, the paired
    test over their common seeds; tasks, modes and pairs without a common seed are left out."""
    scores: dict[tuple[str, str, str], dict[int, float]] = {}
    for record in records:
        metric = task_metrics.get(record["task"])
        value = record["metrics"].get(metric)
        if metric is None or not isinstance(value, int | float) or record.get("seed") is None:
            continue
        key = (record["task"], record["mode"], record["backbone"])
        scores.setdefault(key, {})[record["seed"]] = float(value)
    modes = dict.fromkeys((task, mode) for task, mode, _ in scores)
    comparisons = []
    for task, mode in modes:
        for first, second in pairs:
            a, b = scores.get((task, mode, first), {}), scores.get((task, mode, second), {})
            seeds = sorted(a.keys() & b.keys())
            if seeds:
                comparisons.append(
                    compare(task, mode, task_metrics[task], first, second, seeds, a, b)
                )
    return comparisons


def compare(
    task: str,
    mode: str,
    metric: str,
    first: str,
    second: str,
    seeds: list[int],
    a: Mapping[int, float],
    b: Mapping[int, float],
) -> PairedComparison:
    """The paired t-test of ``a`` against ``b`` (score by seed) over ``seeds``."""
    first_scores, second_scores = [a[s] for s in seeds], [b[s] for s in seeds]
    differences = [x - y for x, y in zip(first_scores, second_scores, strict=True)]
    mean = sum(differences) / len(differences)
    t = p = None
    if len(seeds) > 1 and max(differences) != min(differences):
        result = ttest_rel(first_scores, second_scores)
        t, p = float(result.statistic), float(result.pvalue)
    return PairedComparison(task, mode, metric, first, second, seeds, mean, t, p)


def comparison_table(comparisons: Sequence[PairedComparison]) -> str:
    """A Markdown table of the comparisons of one task."""
    lines = [
        "| comparison | mode | metric | mean difference | t | p (paired t-test) | seeds |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in comparisons:
        t = "–" if c.t is None or math.isnan(c.t) else f"{c.t:.2f}"
        p = "–" if c.p_value is None or math.isnan(c.p_value) else f"{c.p_value:.3f}"
        metric = c.metric.removeprefix("test_")
        lines.append(
            f"| {c.first} − {c.second} | {c.mode} | {metric} | {c.mean_difference:+.4f} | {t} "
            f"| {p} | {len(c.seeds)} |"
        )
    return "\n".join(lines)
