"""Run an evaluation suite's stages inside one evaluation folder::

    tokenizer/                          the shared WordPiece (suites that pretrain from scratch)
    pretrain/<name>/                    pretraining runs (RTD, MLM), normal train.py run folders
    runs/<backbone>-<mode>-seed<k>/     fine-tuning runs, normal train.py run folders

Everything that can fail without training is checked first: the suite file, the runs' configs,
missing pretrained weights (all of them, in one error) and that all runs share one data config.
Runs execute one after another in this process with ``run_task``, as ``train.py`` would.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from electra_rtd.data.tagging_sets import load_tagging_splits
from electra_rtd.evaluation.compose import compose_train_config, quoted
from electra_rtd.evaluation.inference import measure_inference
from electra_rtd.evaluation.preflight import require_same_data, require_suite_weights
from electra_rtd.evaluation.pretrained_backbones import encoder_export, train_shared_tokenizer
from electra_rtd.evaluation.records import baseline_records, inference_settings, tagger_record
from electra_rtd.evaluation.report import Evaluation
from electra_rtd.evaluation.suite import RunSpec, SuiteError, expand_suite, pretrain_specs
from electra_rtd.tasks import run_task
from electra_rtd.training.tracking import tracker_name

log = logging.getLogger(__name__)


class SuiteRunner:
    """The suite in ``cfg.suite``, run into ``out_dir``; call `run`."""

    def __init__(self, cfg: DictConfig, out_dir: Path) -> None:
        self.cfg = cfg
        self.out_dir = out_dir
        self.suite_cfg: dict[str, Any] = OmegaConf.to_container(cfg.suite, resolve=True)
        self.suite = self.suite_cfg.get("name") or "suite"
        self.runs = expand_suite(self.suite_cfg)
        self.pretrains = pretrain_specs(self.suite_cfg)
        if self.suite_cfg.get("shared_tokenizer") and not self.pretrains:
            raise SuiteError("suite.shared_tokenizer needs suite.pretrain runs")

    def run(self) -> Evaluation:
        """Check, pretrain (if the suite does), fine-tune and measure every run, add baselines."""
        pretrain_cfgs, data_cfg = self.preflight()
        splits = load_tagging_splits(data_cfg)
        shared = self.shared_tokenizer(pretrain_cfgs)
        pretraining, encoders = self.pretrain(shared)
        test_texts = [message.text for message in splits["test"]]
        records = []
        for index, run in enumerate(self.runs, start=1):
            log.info("run %d/%d: %s", index, len(self.runs), run.name)
            records.append(self.finetune(run, shared, encoders, test_texts))
        if self.suite_cfg.get("baselines"):
            records += baseline_records(splits["train"], splits["test"])

        settings = {
            "suite": self.suite,
            "description": self.suite_cfg.get("description", ""),
            "data": describe_data(data_cfg),
            "split seed": self.suite_cfg["split_seed"],
            "test messages": len(test_texts),
            "seeds": self.suite_cfg["seeds"],
            **inference_settings(records),
        }
        if self.pretrains:
            settings["pretraining corpus"] = self.suite_cfg.get("pretrain_data")
        return Evaluation(f"Suite: {self.suite}", records, settings, pretraining)

    def preflight(self) -> tuple[dict[str, DictConfig], DictConfig]:
        """Pretraining configs and the shared data config, after every check that needs no run.

        Weights are checked first on one run per backbone x mode (the seed never changes the
        model), so a suite without its weights stops within seconds; then every run's config
        must compose, and the pretraining runs must share one corpus and the fine-tuning runs
        one labelled data set and split.
        """
        pretrain_cfgs = {
            spec.name: self.compose(spec.overrides, spec.name) for spec in self.pretrains
        }
        first_seed = self.runs[0].seed
        run_cfgs = {
            r.name: self.compose(r.overrides, r.name) for r in self.runs if r.seed == first_seed
        }
        require_suite_weights(self.suite, [*pretrain_cfgs.values(), *run_cfgs.values()])
        if pretrain_cfgs:
            require_same_data(self.suite, pretrain_cfgs.values(), "corpus")
        for run in self.runs:
            if run.name not in run_cfgs:
                run_cfgs[run.name] = self.compose(run.overrides, run.name)
        return pretrain_cfgs, require_same_data(self.suite, run_cfgs.values(), "data")

    def shared_tokenizer(self, pretrain_cfgs: dict[str, DictConfig]) -> list[str]:
        """Train the suite's one tokenizer if it has one; the override that hands it to runs."""
        if not self.suite_cfg.get("shared_tokenizer"):
            return []
        first = next(iter(pretrain_cfgs.values()))
        folder = train_shared_tokenizer(first, self.out_dir / "tokenizer", self.out_dir / "data")
        return [f"model.tokenizer={quoted(folder)}"]

    def pretrain(
        self, shared: Sequence[str]
    ) -> tuple[dict[str, dict[str, float]], dict[str, Path]]:
        """Run every pretraining run; its held-out metrics and its encoder export, by name."""
        metrics, encoders = {}, {}
        for spec in self.pretrains:
            run_dir = self.out_dir / "pretrain" / spec.name
            run_cfg = self.compose([*spec.overrides, *shared], spec.name)
            log.info("pretraining %s in %s", spec.name, run_dir)
            metrics[spec.name] = run_task(run_cfg, run_dir)
            encoders[spec.name] = encoder_export(run_dir, run_cfg.objective.name)
        return metrics, encoders

    def finetune(
        self,
        run: RunSpec,
        shared: Sequence[str],
        encoders: dict[str, Path],
        test_texts: Sequence[str],
    ) -> dict[str, Any]:
        """Fine-tune one run, then measure its exported tagger on the test texts."""
        overrides = [*run.overrides, *shared]
        if run.pretrained:
            overrides.append(f"model.path={quoted(encoders[run.pretrained])}")
        run_cfg = self.compose(overrides, run.name)
        run_dir = self.out_dir / "runs" / run.name
        metrics = run_task(run_cfg, run_dir)
        inference = self.cfg.evaluate.inference
        stats = measure_inference(
            run_dir / "export" / "model",
            test_texts,
            batch_size=inference.batch_size,
            max_length=run_cfg.data.max_length,
            threads=self.cfg.evaluate.get("torch_threads"),
            device=inference.get("device"),
            isolated=inference.isolated,
        )
        return tagger_record(
            run.backbone,
            run.mode,
            run.seed,
            metrics,
            stats,
            run_dir=str(run_dir.relative_to(self.out_dir)),
            overrides=overrides,
        )

    def compose(self, overrides: Sequence[str], name: str) -> DictConfig:
        """A run's train.yaml config: its overrides, this evaluation's paths and W&B group."""
        root = self.cfg.paths.root_dir
        common = [f"paths.root_dir={quoted(root)}", *logger_overrides(self.cfg.logger, name)]
        return compose_train_config([*overrides, *common], Path(root) / "conf")


def logger_overrides(logger_cfg: DictConfig, run_name: str) -> list[str]:
    """Send every run to the evaluation's W&B group under its own name, or switch tracking off."""
    if tracker_name(logger_cfg) is None:
        return ["logger=none"]
    overrides = [f"logger.name={quoted(run_name)}"]
    for key in ("project", "group", "mode"):
        if logger_cfg.get(key):
            overrides.append(f"logger.{key}={quoted(logger_cfg[key])}")
    return overrides


def describe_data(data_cfg: DictConfig) -> str:
    """The labelled data in a few words, for the report's header."""
    if data_cfg.source == "synthetic":
        return f"synthetic, {data_cfg.num_messages} messages (data seed {data_cfg.seed})"
    return str(data_cfg.path)
