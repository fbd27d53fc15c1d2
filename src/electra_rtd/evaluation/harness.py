"""What ``evaluate.py`` runs: an evaluation suite or a saved tagger's scoring, then the report."""

from __future__ import annotations

from pathlib import Path

import torch
from omegaconf import DictConfig, OmegaConf

from electra_rtd.evaluation.plot import plot_results
from electra_rtd.evaluation.report import RESULTS_PNG, Evaluation, write_report
from electra_rtd.evaluation.saved_model import score_saved_model
from electra_rtd.evaluation.suite_runner import SuiteRunner
from electra_rtd.evaluation.wandb_report import log_comparison


def evaluate(cfg: DictConfig, out_dir: Path) -> Evaluation:
    """Run ``cfg.suite`` or score ``cfg.evaluate.model_dir``; write results into ``out_dir``
    (results.json, results.md, results.png) and log the comparison to W&B."""
    if cfg.evaluate.get("torch_threads"):
        torch.set_num_threads(cfg.evaluate.torch_threads)
    if cfg.evaluate.get("model_dir"):
        evaluation = score_saved_model(cfg, out_dir)
    elif cfg.get("suite"):
        evaluation = SuiteRunner(cfg, out_dir).run()
    else:
        raise ValueError(
            "nothing to evaluate: pick a suite with +suite=NAME (conf/suite/), or score "
            "a saved tagger with evaluate.model_dir=FOLDER evaluate.labelled=FILE"
        )
    summaries = write_report(evaluation, out_dir)
    plot_results(summaries, out_dir / RESULTS_PNG, evaluation.task_metrics, evaluation.references)
    log_comparison(
        OmegaConf.to_container(cfg.logger, resolve=True),
        name=f"{cfg.task_name}-comparison",
        records=evaluation.records,
        summaries=summaries,
        plot=out_dir / RESULTS_PNG,
        out_dir=out_dir,
    )
    return evaluation
