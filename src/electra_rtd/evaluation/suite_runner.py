"""Run an evaluation suite's stages inside one evaluation folder::

    corpus/<name>.jsonl                 a pretraining corpus the suite writes (a corpus mix)
    tokenizer/                          the shared WordPiece (suites that pretrain from scratch)
    pretrain/<name>/                    pretraining runs (RTD, MLM), normal train.py run folders
    runs/<task>-<backbone>-<mode>-seed<k>/   fine-tuning runs, normal train.py run folders

Everything that can fail without training is checked first: the suite file, the runs' configs,
missing pretrained weights (all of them, in one error) and that the runs of each task share one
data config. Runs execute one after another in this process with ``run_task``, as ``train.py``
would.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from electra_rtd.data.corpus_mix import MixPart, write_corpus_mix
from electra_rtd.data.pretraining import iter_texts
from electra_rtd.data.tagging_sets import load_tagging_splits
from electra_rtd.data.text_classes import load_class_splits
from electra_rtd.evaluation.compose import compose_train_config, quoted
from electra_rtd.evaluation.inference import measure_inference
from electra_rtd.evaluation.preflight import require_same_data, require_suite_weights
from electra_rtd.evaluation.pretrained_backbones import (
    encoder_export,
    pretraining_texts,
    train_shared_tokenizer,
)
from electra_rtd.evaluation.pretraining_budget import (
    LENGTH_SAMPLE,
    PretrainingBudget,
    equal_compute,
    mean_tokens,
)
from electra_rtd.evaluation.records import baseline_records, inference_settings, model_record
from electra_rtd.evaluation.report import Evaluation
from electra_rtd.evaluation.significance import paired_comparisons
from electra_rtd.evaluation.suite import (
    RunSpec,
    SuiteError,
    compared_pairs,
    corpus_mix,
    expand_suite,
    pretrain_specs,
    suite_tasks,
)
from electra_rtd.schema import CLASSIFIER_TASK
from electra_rtd.tasks import run_task
from electra_rtd.training.tracking import tracker_name

log = logging.getLogger(__name__)

Splits = dict[str, list[Any]]


class SuiteRunner:
    """The suite in ``cfg.suite``, run into ``out_dir``; call `run`."""

    def __init__(self, cfg: DictConfig, out_dir: Path) -> None:
        self.cfg = cfg
        self.out_dir = out_dir
        self.suite_cfg: dict[str, Any] = OmegaConf.to_container(cfg.suite, resolve=True)
        self.suite = self.suite_cfg.get("name") or "suite"
        self.tasks = suite_tasks(self.suite_cfg)
        self.runs = expand_suite(self.suite_cfg)
        self.mix_file = out_dir / "corpus" / f"{self.suite_cfg.get('pretrain_data')}.jsonl"
        self.pretrains = pretrain_specs(self.suite_cfg, self.mix_file)
        self.pairs = compared_pairs(self.suite_cfg)
        self.equal_compute = self.suite_cfg.get("equal_compute")
        if self.suite_cfg.get("shared_tokenizer") and not self.pretrains:
            raise SuiteError("suite.shared_tokenizer needs suite.pretrain runs")
        if self.equal_compute and not self.suite_cfg.get("shared_tokenizer"):
            raise SuiteError("suite.equal_compute counts with the shared tokenizer: set it")

    def run(self) -> Evaluation:
        """Check, pretrain (if the suite does), fine-tune and measure every run, add baselines."""
        pretrain_cfgs, task_cfgs = self.preflight()
        splits = {task: task_splits(cfg) for task, cfg in task_cfgs.items()}
        settings: dict[str, Any] = {
            "suite": self.suite,
            "description": self.suite_cfg.get("description", ""),
            "split seed": self.suite_cfg["split_seed"],
            "seeds": self.suite_cfg["seeds"],
        }
        for task, cfg in task_cfgs.items():
            sizes = ", ".join(f"{name} {len(texts)}" for name, texts in splits[task].items())
            settings[f"task {task}"] = f"{describe_data(cfg.data)}; {sizes}"
        if self.pretrains:
            settings["pretraining corpus"] = self.write_corpus(pretrain_cfgs, splits)
        shared, budget = self.shared_tokenizer(pretrain_cfgs)
        if budget is not None:
            settings["pretraining compute"] = budget.describe()
        pretraining, encoders = self.pretrain(shared, budget)
        records = []
        for index, run in enumerate(self.runs, start=1):
            log.info("run %d/%d: %s", index, len(self.runs), run.name)
            test_texts = [example.text for example in splits[run.task]["test"]]
            records.append(self.finetune(run, shared, encoders, test_texts))
        if self.suite_cfg.get("baselines"):
            for task, cfg in task_cfgs.items():
                if cfg.task != CLASSIFIER_TASK:
                    records += baseline_records(task, splits[task]["train"], splits[task]["test"])
        settings.update(inference_settings(records))

        task_metrics = {task.name: task.metric for task in self.tasks}
        return Evaluation(
            f"Suite: {self.suite}",
            records,
            settings,
            pretraining,
            task_metrics=task_metrics,
            references=self.suite_cfg.get("references") or {},
            comparisons=paired_comparisons(records, task_metrics, self.pairs),
        )

    def preflight(self) -> tuple[dict[str, DictConfig], dict[str, DictConfig]]:
        """Pretraining configs, and one fine-tuning config per task (the data all its runs
        share), after every check that needs no run.

        Weights are checked first on one run per task x backbone x mode (the seed never changes
        the model), so a suite without its weights stops within seconds; then every run's
        config must compose, the pretraining runs must share one corpus, and the fine-tuning
        runs of each task one labelled data set and split.
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
        task_cfgs = {}
        for task in self.tasks:
            cfgs = [run_cfgs[r.name] for r in self.runs if r.task == task.name]
            require_same_data(f"{self.suite} ({task.name})", cfgs, "data")
            task_cfgs[task.name] = cfgs[0]
        return pretrain_cfgs, task_cfgs

    def write_corpus(self, pretrain_cfgs: dict[str, DictConfig], splits: dict[str, Splits]) -> str:
        """Write the corpus mix when the suite pretrains on one, without any dev or test text of
        its tasks; the corpus in a few words."""
        parts = corpus_mix(self.suite_cfg)
        if parts is None:
            return str(self.suite_cfg.get("pretrain_data"))
        held_out = [
            example.text
            for task_splits in splits.values()
            for name in ("dev", "test")
            for example in task_splits[name]
        ]
        seed = next(iter(pretrain_cfgs.values())).seed
        mix = {name: MixPart.from_spec(name, spec) for name, spec in parts.items()}
        counts = write_corpus_mix(mix, held_out, self.mix_file, seed)
        given = ", ".join(f"{name} {n:,}" for name, n in counts.items())
        return (
            f"{self.suite_cfg['pretrain_data']}: {sum(counts.values()):,} distinct texts ({given}); "
            f"none of the {len(held_out):,} dev and test texts of the tasks"
        )

    def shared_tokenizer(
        self, pretrain_cfgs: dict[str, DictConfig]
    ) -> tuple[list[str], PretrainingBudget | None]:
        """Train the suite's one tokenizer if it has one: the override that hands it to runs,
        and the pretraining runs' equal-compute budget when the suite asks for one."""
        if not self.suite_cfg.get("shared_tokenizer"):
            return [], None
        first = next(iter(pretrain_cfgs.values()))
        texts = pretraining_texts(first, self.out_dir / "data")
        folder = self.out_dir / "tokenizer"
        tokenizer = train_shared_tokenizer(first, texts, folder)
        budget = None
        if self.equal_compute:
            sample = list(iter_texts(texts, LENGTH_SAMPLE))
            seq_len = mean_tokens(tokenizer, sample, first.corpus.max_length)
            budget = equal_compute(pretrain_cfgs, self.equal_compute, len(tokenizer), seq_len)
            log.info("pretraining at equal compute: %s", budget.describe())
        return [f"model.tokenizer={quoted(folder)}"], budget

    def pretrain(
        self, shared: Sequence[str], budget: PretrainingBudget | None
    ) -> tuple[dict[str, dict[str, float]], dict[str, Path]]:
        """Run every pretraining run; its held-out metrics and its encoder export, by name."""
        metrics, encoders = {}, {}
        for spec in self.pretrains:
            run_dir = self.out_dir / "pretrain" / spec.name
            steps = [f"trainer.max_steps={budget.steps[spec.name]}"] if budget else []
            run_cfg = self.compose([*spec.overrides, *shared, *steps], spec.name)
            log.info("pretraining %s in %s", spec.name, run_dir)
            metrics[spec.name] = run_task(run_cfg, run_dir)
            if budget:
                metrics[spec.name]["pretraining_tflop"] = budget.total(spec.name) / 1e12
            encoders[spec.name] = encoder_export(run_dir, run_cfg.objective.name)
        return metrics, encoders

    def finetune(
        self,
        run: RunSpec,
        shared: Sequence[str],
        encoders: dict[str, Path],
        test_texts: Sequence[str],
    ) -> dict[str, Any]:
        """Fine-tune one run, then measure its exported model on the test texts."""
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
            kind="classifier" if run_cfg.task == CLASSIFIER_TASK else "tagger",
        )
        return model_record(
            run.task,
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


def task_splits(run_cfg: DictConfig) -> Splits:
    """The train/dev/test splits a fine-tuning config reads: texts with classes, or keyword
    spans."""
    if run_cfg.task == CLASSIFIER_TASK:
        return load_class_splits(run_cfg.data)
    return load_tagging_splits(run_cfg.data)


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
    if data_cfg.source == "hashed":
        return f"hand labels {data_cfg.labels} on {data_cfg.corpus}"
    return str(data_cfg.path)
