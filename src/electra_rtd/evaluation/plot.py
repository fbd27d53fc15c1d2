"""The results plot, one row per task: the headline metrics per backbone x mode with error bars
(published results as dashed lines), and inference speed against the task's ranking metric."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from electra_rtd.evaluation.aggregate import GroupSummary, Stat
from electra_rtd.evaluation.report import HEADLINE_METRICS, LABELS, by_task


def plot_results(
    summaries: Sequence[GroupSummary],
    path: Path,
    task_metrics: Mapping[str, str] | None = None,
    references: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> None:
    """Left: the task's headline metrics per row with std error bars. Right: msgs/s against
    the task's metric (``task_metrics``; by default its first headline metric)."""
    tasks = by_task(summaries)
    figure = Figure(figsize=(12, 4.8 * len(tasks)), layout="constrained")
    axes = figure.subplots(len(tasks), 2, width_ratios=[3, 2], squeeze=False)
    for (task, group), (bars, speed) in zip(tasks.items(), axes, strict=True):
        present = {name for s in group for name in s.stats}
        metrics = [m for m in HEADLINE_METRICS if m in present]
        ranking = (task_metrics or {}).get(task) or (metrics[0] if metrics else None)
        published = [r for r in (references or {}).get(task, []) if r["metric"] in metrics]
        for ref, style in zip(published, ["--", ":", "-.", (0, (5, 5))] * 4, strict=False):
            label = f"{ref['model']} {LABELS[ref['metric']]} (published)"
            bars.axhline(
                ref["value"] / 100, linestyle=style, linewidth=1, color="grey", label=label
            )
        _bars(bars, group, metrics, task)
        if ranking is not None:
            _speed(speed, group, ranking, task)
    figure.savefig(path, dpi=120)


def _bars(axis: Any, group: Sequence[GroupSummary], metrics: Sequence[str], task: str) -> None:
    labels = [f"{s.backbone}\n{s.mode}" for s in group]
    positions = np.arange(len(group))
    width = 0.8 / max(1, len(metrics))
    for index, metric in enumerate(metrics):
        means = [s.stats[metric].mean if metric in s.stats else np.nan for s in group]
        errors = [_std(s.stats.get(metric)) for s in group]
        offset = (index - (len(metrics) - 1) / 2) * width
        axis.bar(positions + offset, means, width, yerr=errors, capsize=3, label=LABELS[metric])
    axis.set_xticks(positions, labels, fontsize=8)
    axis.set_ylim(0, 1.15)
    axis.set_ylabel("test score (mean ± std over seeds)")
    axis.set_title(task, fontsize=10)
    axis.legend(loc="upper center", ncols=max(2, len(metrics)), fontsize=7)


def _speed(axis: Any, group: Sequence[GroupSummary], metric: str, task: str) -> None:
    for summary in group:
        score, rate = summary.stats.get(metric), summary.stats.get("messages_per_second")
        if score is None or rate is None:
            continue
        axis.errorbar(rate.mean, score.mean, xerr=_std(rate), yerr=_std(score), fmt="o", capsize=3)
        axis.annotate(
            f"{summary.backbone} {summary.mode}",
            (rate.mean, score.mean),
            fontsize=8,
            textcoords="offset points",
            xytext=(4, 4),
        )
    axis.set_xscale("log")
    # Labels at 1, 2 and 5 of each decade, as plain numbers, slanted: matplotlib's defaults label
    # every minor tick of a range narrower than a decade in powers of ten, and they overlap.
    axis.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    axis.xaxis.set_minor_formatter(NullFormatter())
    axis.tick_params(axis="x", labelrotation=30, labelsize=8)
    axis.set_xlabel("inference messages/s (log)")
    axis.set_ylabel(f"test {LABELS.get(metric, metric.removeprefix('test_'))}")
    axis.set_title(f"{task}: speed vs score", fontsize=10)


def _std(stat: Stat | None) -> float:
    return stat.std if stat is not None and stat.std is not None else 0.0
