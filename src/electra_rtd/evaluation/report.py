"""Write an evaluation's results: every run (results.json) and the table (results.md)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from electra_rtd.evaluation.aggregate import GroupSummary, Stat, summarise

log = logging.getLogger(__name__)

F1_METRICS = ("test_span_f1", "test_kwset_f1", "test_partial_f1")
# After the F1s and the other test metrics, in this order; anything else comes last.
COST_METRICS = (
    "best_dev_span_f1",
    "parameters",
    "train_seconds",
    "messages_per_second",
    "peak_memory_mb",
)
LABELS = {  # column titles; other metrics show their name without "test_"
    "test_span_f1": "span F1",
    "test_kwset_f1": "keyword-set F1",
    "test_partial_f1": "partial F1",
    "best_dev_span_f1": "best dev span F1",
    "train_seconds": "fine-tuning s",
    "messages_per_second": "msgs/s",
    "peak_memory_mb": "peak memory MB",
}
WHOLE_NUMBERS = frozenset({"messages_per_second", "steps", "best_step", "test_n_messages"})
ONE_DECIMAL = frozenset({"train_seconds", "peak_memory_mb"})

RESULTS_JSON, RESULTS_MD, RESULTS_PNG = "results.json", "results.md", "results.png"


@dataclass
class Evaluation:
    """What a report is made of: one record per run (see records.py), plus context."""

    title: str
    records: list[dict[str, Any]]
    settings: dict[str, Any]
    pretraining: dict[str, dict[str, float]] = field(default_factory=dict)


def write_report(evaluation: Evaluation, out_dir: Path) -> list[GroupSummary]:
    """Write results.json and results.md (which shows results.png) into ``out_dir``; return
    the summary per backbone x mode."""
    summaries = summarise(evaluation.records)
    out_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "title": evaluation.title,
        "settings": evaluation.settings,
        "runs": evaluation.records,
        "summary": [asdict(summary) for summary in summaries],
        "pretraining": evaluation.pretraining,
    }
    (out_dir / RESULTS_JSON).write_text(json.dumps(document, indent=2), encoding="utf-8")
    markdown = results_markdown(
        evaluation.title, summaries, evaluation.settings, evaluation.pretraining
    )
    (out_dir / RESULTS_MD).write_text(markdown, encoding="utf-8")
    log.info("wrote %s and %s to %s", RESULTS_JSON, RESULTS_MD, out_dir)
    return summaries


def metric_columns(summaries: Sequence[GroupSummary]) -> list[str]:
    """Every metric of any group: F1s first, then other test metrics, costs, the rest."""
    present = dict.fromkeys(name for s in summaries for name in s.stats)
    first = [m for m in F1_METRICS if m in present]
    tests = sorted(m for m in present if m.startswith("test_") and m not in first)
    costs = [m for m in COST_METRICS if m in present]
    rest = sorted(m for m in present if m not in {*first, *tests, *costs})
    return first + tests + costs + rest


def format_stat(name: str, stat: Stat) -> str:
    """``mean ± std`` in the metric's own precision (just the mean for a single run)."""
    if name == "parameters":
        text = f"{stat.mean / 1e6:.2f}M"
        return text if not stat.std else f"{text} ± {stat.std / 1e6:.2f}M"
    digits = 0 if name in WHOLE_NUMBERS else 1 if name in ONE_DECIMAL else 4
    text = f"{stat.mean:.{digits}f}"
    return text if stat.std is None else f"{text} ± {stat.std:.{digits}f}"


def results_table(summaries: Sequence[GroupSummary]) -> str:
    """A Markdown table, one row per backbone x mode, mean ± std of every metric."""
    columns = metric_columns(summaries)
    header = [
        "backbone",
        "mode",
        "runs",
        *(LABELS.get(c, c.removeprefix("test_")) for c in columns),
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for summary in summaries:
        cells = [summary.backbone, summary.mode, str(len(summary.seeds))]
        cells += [format_stat(c, summary.stats[c]) if c in summary.stats else "–" for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def results_markdown(
    title: str,
    summaries: Sequence[GroupSummary],
    settings: Mapping[str, Any],
    pretraining: Mapping[str, Mapping[str, float]] | None = None,
) -> str:
    """The whole results.md: settings, the results table, pretraining metrics, the plot."""
    parts = [f"# {title}", ""]
    parts += [f"- **{key}**: {value}" for key, value in settings.items()]
    parts += [
        "",
        "## Results",
        "",
        "Mean ± sample standard deviation (n - 1) over the runs (seeds) of each row; a single "
        "run shows its value alone. F1s are on the test split.",
        "",
        results_table(summaries),
    ]
    if pretraining:
        parts += ["", "## Pretraining (held-out metrics)", ""]
        parts += [
            f"- **{name}**: " + ", ".join(f"{k}={v:.4g}" for k, v in metrics.items())
            for name, metrics in pretraining.items()
        ]
    parts += ["", f"![results]({RESULTS_PNG})", ""]
    return "\n".join(parts)
