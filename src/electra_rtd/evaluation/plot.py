"""The results plot: F1 per backbone x mode with error bars, and inference speed against F1."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from electra_rtd.evaluation.aggregate import GroupSummary, Stat
from electra_rtd.evaluation.report import F1_METRICS, LABELS


def plot_results(summaries: Sequence[GroupSummary], path: Path) -> None:
    """Left: the three F1s per row with std error bars. Right: msgs/s against span F1."""
    figure = Figure(figsize=(12, 4.8), layout="constrained")
    bars, speed = figure.subplots(1, 2, width_ratios=[3, 2])
    labels = [f"{s.backbone}\n{s.mode}" for s in summaries]
    positions = np.arange(len(summaries))
    width = 0.8 / len(F1_METRICS)
    for index, metric in enumerate(F1_METRICS):
        means = [s.stats[metric].mean if metric in s.stats else np.nan for s in summaries]
        errors = [_std(s.stats.get(metric)) for s in summaries]
        bars.bar(
            positions + (index - 1) * width,
            means,
            width,
            yerr=errors,
            capsize=3,
            label=LABELS[metric],
        )
    bars.set_xticks(positions, labels, fontsize=8)
    bars.set_ylim(0, 1.15)
    bars.set_ylabel("test F1 (mean ± std over seeds)")
    bars.legend(loc="upper center", ncols=len(F1_METRICS), fontsize=8)

    for summary in summaries:
        f1, rate = summary.stats.get("test_span_f1"), summary.stats.get("messages_per_second")
        if f1 is None or rate is None:
            continue
        speed.errorbar(rate.mean, f1.mean, xerr=_std(rate), yerr=_std(f1), fmt="o", capsize=3)
        speed.annotate(
            f"{summary.backbone} {summary.mode}",
            (rate.mean, f1.mean),
            fontsize=8,
            textcoords="offset points",
            xytext=(4, 4),
        )
    speed.set_xscale("log")
    speed.set_xlabel("inference messages/s (log)")
    speed.set_ylabel("test span F1")
    speed.set_title("speed vs F1", fontsize=10)
    figure.savefig(path, dpi=120)


def _std(stat: Stat | None) -> float:
    return stat.std if stat is not None and stat.std is not None else 0.0
