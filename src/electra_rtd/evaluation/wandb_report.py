"""The comparison table of an evaluation as a final W&B run in the group of its training runs.

Each training run logs itself through accelerate's tracker under ``logger.group``; this adds one
more run to that group holding the per-run table, the summary table and the plot, so the W&B
group page has the comparison beside the curves. With tracking off (``logger=none``) the run is
made in W&B's ``disabled`` mode: the same code runs, nothing is written.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from electra_rtd.evaluation.aggregate import GroupSummary
from electra_rtd.evaluation.report import format_stat, metric_columns
from electra_rtd.training.tracking import log_run_location, tracker_name, wandb_init_kwargs

log = logging.getLogger(__name__)


def log_comparison(
    logger_cfg: Mapping[str, Any] | None,
    *,
    name: str,
    records: Sequence[Mapping[str, Any]],
    summaries: Sequence[GroupSummary],
    plot: Path,
    out_dir: Path,
) -> None:
    """Log the runs table, the summary table and the plot as one W&B run named ``name``."""
    import wandb

    logger_cfg = logger_cfg or {}
    kwargs = {**wandb_init_kwargs(logger_cfg, out_dir), "name": name, "job_type": "evaluate"}
    if tracker_name(logger_cfg) is None:
        kwargs["mode"] = "disabled"
    run = wandb.init(project=logger_cfg.get("project"), **kwargs)
    try:
        run.log(
            {
                "runs": runs_table(records),
                "summary": summary_table(summaries),
                "results": wandb.Image(str(plot)),
            }
        )
    finally:
        run.finish()
    log.info("logged the comparison to W&B (group %s)", logger_cfg.get("group"))
    log_run_location(run)


def runs_table(records: Sequence[Mapping[str, Any]]) -> Any:
    """One row per run: identity, then every metric (blank where a run lacks it)."""
    import wandb

    metrics = list(dict.fromkeys(name for record in records for name in record["metrics"]))
    rows = [
        [
            r["task"],
            r["backbone"],
            r["mode"],
            r.get("seed"),
            *(r["metrics"].get(m) for m in metrics),
        ]
        for r in records
    ]
    return wandb.Table(columns=["task", "backbone", "mode", "seed", *metrics], data=rows)


def summary_table(summaries: Sequence[GroupSummary]) -> Any:
    """One row per task x backbone x mode with ``mean ± std`` strings, as in results.md."""
    import wandb

    columns = metric_columns(summaries)
    rows = [
        [
            s.task,
            s.backbone,
            s.mode,
            len(s.seeds),
            *(format_stat(c, s.stats[c]) if c in s.stats else None for c in columns),
        ]
        for s in summaries
    ]
    return wandb.Table(columns=["task", "backbone", "mode", "runs", *columns], data=rows)
