"""Write an evaluation's results: every run (results.json) and the tables (results.md): per
task, the runs' summary, the published numbers it can be set beside, and the paired tests."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from electra_rtd.evaluation.aggregate import GroupSummary, Stat, summarise
from electra_rtd.evaluation.significance import PairedComparison, comparison_table

log = logging.getLogger(__name__)

F1_METRICS = ("test_span_f1", "test_kwset_f1", "test_partial_f1")
CLASS_METRICS = ("test_accuracy", "test_macro_f1")
# The first columns (and the plot's bars): keyword F1s for tagging, accuracy and macro F1 for
# classification. After them the other test metrics, the best dev scores, then these costs.
HEADLINE_METRICS = (*F1_METRICS, *CLASS_METRICS)
COST_METRICS = (
    "parameters",
    "train_seconds",
    "messages_per_second",
    "peak_memory_mb",
)
LABELS = {  # column titles; other metrics show their name without "test_"
    "test_span_f1": "span F1",
    "test_kwset_f1": "keyword-set F1",
    "test_partial_f1": "partial F1",
    "test_accuracy": "accuracy",
    "test_macro_f1": "macro F1",
    "best_dev_span_f1": "best dev span F1",
    "best_dev_kwset_f1": "best dev keyword-set F1",
    "best_dev_accuracy": "best dev accuracy",
    "best_dev_macro_f1": "best dev macro F1",
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
    task_metrics: dict[str, str] = field(default_factory=dict)  # task -> the metric ranking it
    # task -> published results: model, metric, value (in percent, as published), source
    references: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    comparisons: list[PairedComparison] = field(default_factory=list)


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
        "task_metrics": evaluation.task_metrics,
        "references": evaluation.references,
        "comparisons": [asdict(comparison) for comparison in evaluation.comparisons],
    }
    (out_dir / RESULTS_JSON).write_text(json.dumps(document, indent=2), encoding="utf-8")
    markdown = results_markdown(evaluation, summaries)
    (out_dir / RESULTS_MD).write_text(markdown, encoding="utf-8")
    log.info("wrote %s and %s to %s", RESULTS_JSON, RESULTS_MD, out_dir)
    return summaries


def metric_columns(summaries: Sequence[GroupSummary]) -> list[str]:
    """Every metric of any group: the headline ones first, then other test metrics, the best
    dev scores, costs, the rest."""
    present = dict.fromkeys(name for s in summaries for name in s.stats)
    first = [m for m in HEADLINE_METRICS if m in present]
    tests = sorted(m for m in present if m.startswith("test_") and m not in first)
    dev = sorted(m for m in present if m.startswith("best_dev_"))
    costs = [m for m in COST_METRICS if m in present]
    rest = sorted(m for m in present if m not in {*first, *tests, *dev, *costs})
    return first + tests + dev + costs + rest


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


def task_tables(summaries: Sequence[GroupSummary]) -> str:
    """One results table per task, each under its name (what evaluate.py prints)."""
    return "\n\n".join(
        f"### {task}\n\n{results_table(group)}" for task, group in by_task(summaries).items()
    )


def by_task(summaries: Sequence[GroupSummary]) -> dict[str, list[GroupSummary]]:
    """The summaries of each task, tasks in order of first appearance."""
    groups: dict[str, list[GroupSummary]] = {}
    for summary in summaries:
        groups.setdefault(summary.task, []).append(summary)
    return groups


def references_table(references: Sequence[Mapping[str, Any]]) -> str:
    """Published results of a task, with their sources (not run here)."""
    lines = ["| published (not run here) | metric | value | source |", "|---|---|---|---|"]
    for ref in references:
        metric = LABELS.get(ref["metric"], ref["metric"].removeprefix("test_"))
        value = f"{ref['value'] / 100:.4f}"
        lines.append(f"| {ref['model']} | {metric} | {value} | {ref['source']} |")
    return "\n".join(lines)


def results_markdown(evaluation: Evaluation, summaries: Sequence[GroupSummary]) -> str:
    """The whole results.md: settings, per task its results, published numbers and paired
    tests, then pretraining metrics and the plot."""
    parts = [f"# {evaluation.title}", ""]
    parts += [f"- **{key}**: {value}" for key, value in evaluation.settings.items()]
    parts += [
        "",
        "## Results",
        "",
        "Mean ± sample standard deviation (n - 1) over the runs (seeds) of each row; a single "
        "run shows its value alone. Scores are on each task's test split.",
    ]
    for task, group in by_task(summaries).items():
        metric = evaluation.task_metrics.get(task)
        heading = f"### {task}" + (f" (ranked by {LABELS.get(metric, metric)})" if metric else "")
        parts += ["", heading, "", results_table(group)]
        references = evaluation.references.get(task)
        if references:
            parts += [
                "",
                "Published results on the same task (their own data splits, recipes and "
                "checkpoint selection; values as published, in percent / 100):",
                "",
                references_table(references),
            ]
        comparisons = [c for c in evaluation.comparisons if c.task == task]
        if comparisons:
            parts += ["", comparison_table(comparisons)]
    if evaluation.pretraining:
        parts += ["", "## Pretraining (held-out metrics)", ""]
        parts += [
            f"- **{name}**: " + ", ".join(f"{k}={v:.4g}" for k, v in metrics.items())
            for name, metrics in evaluation.pretraining.items()
        ]
    parts += ["", f"![results]({RESULTS_PNG})", ""]
    return "\n".join(parts)
