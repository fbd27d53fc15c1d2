"""An evaluation suite (``conf/suite/*.yaml``) expanded into the runs it stands for.

A suite compares backbones x training modes over several seeds on one or more tasks (keyword
tagging, text classification, NER: ``suite.tasks``), each with one labelled data set and one
split. Only the run seed varies between the runs of a task, backbone and mode; the data and the
split seed are the suite's, so every run of a task is scored on the same test texts. Each run is
a list of ``train.yaml`` overrides, exactly what ``python train.py`` would take on its command
line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from electra_rtd.evaluation.compose import quoted

BACKBONE_KEYS = frozenset({"overrides", "pretrained"})
TASK_KEYS = frozenset({"finetune", "metric"})
# A pretraining corpus the suite writes itself from several files (data/corpus_mix.py).
MIX_KEYS = frozenset({"parts", "overrides"})


class SuiteError(ValueError):
    """A suite file is incomplete or inconsistent; the message names the key."""


@dataclass(frozen=True)
class TaskSpec:
    """One task of a suite: its fine-tuning overrides and the test metric that ranks it."""

    name: str
    overrides: tuple[str, ...]
    metric: str


@dataclass(frozen=True)
class PretrainSpec:
    """One pretraining run of a suite (e.g. RTD or MLM), shared by the backbones built on it."""

    name: str
    overrides: tuple[str, ...]


@dataclass(frozen=True)
class RunSpec:
    """One fine-tuning run: a backbone in a training mode on a task with one seed."""

    task: str
    backbone: str
    mode: str
    seed: int
    overrides: tuple[str, ...]
    # Name of the suite's pretraining run whose export initialises the model, if any.
    pretrained: str | None = None

    @property
    def name(self) -> str:
        """Folder name of the run, unique within a suite."""
        return f"{self.task}-{self.backbone}-{self.mode}-seed{self.seed}"


def suite_tasks(suite: Mapping[str, Any]) -> list[TaskSpec]:
    """The suite's tasks in file order."""
    tasks = []
    for name, spec in _mapping(suite, "tasks").items():
        where = f"suite.tasks.{name}"
        if not isinstance(spec, Mapping) or set(spec) != TASK_KEYS:
            raise SuiteError(f"{where} must be a mapping with keys {sorted(TASK_KEYS)}")
        metric = spec["metric"]
        if not isinstance(metric, str) or not metric.startswith("test_"):
            raise SuiteError(f"{where}.metric must name a test metric (test_...), got {metric!r}")
        tasks.append(TaskSpec(str(name), _overrides(spec["finetune"], f"{where}.finetune"), metric))
    return tasks


def expand_suite(suite: Mapping[str, Any]) -> list[RunSpec]:
    """Every task x backbone x mode x seed of ``suite``, in file order (seeds innermost).

    Overrides apply in this order, later ones winning: the suite's ``finetune`` list (every
    task), the task's, the backbone's, the mode's, then the run seed and the suite's fixed
    ``split_seed`` (added where a data config has none: hand labels whose splits are fixed
    in their files).
    """
    seeds = _seeds(suite)
    split_seed = _int(suite, "split_seed")
    common = _overrides(suite.get("finetune"), "suite.finetune")
    backbones = _mapping(suite, "backbones")
    modes = _mapping(suite, "modes")
    pretrain = suite.get("pretrain")
    pretrain_names = set(_mapping(pretrain, "runs", "suite.pretrain.runs")) if pretrain else set()
    runs = []
    for task in suite_tasks(suite):
        for backbone, spec in backbones.items():
            where = f"suite.backbones.{backbone}"
            spec = spec or {}
            if not isinstance(spec, Mapping) or not set(spec) <= BACKBONE_KEYS:
                raise SuiteError(f"{where} must be a mapping with keys {sorted(BACKBONE_KEYS)}")
            pretrained = spec.get("pretrained")
            if pretrained is not None and pretrained not in pretrain_names:
                raise SuiteError(
                    f"{where}.pretrained={pretrained!r} names no run of suite.pretrain.runs "
                    f"(has {sorted(pretrain_names)})"
                )
            backbone_overrides = _overrides(spec.get("overrides"), f"{where}.overrides")
            for mode, mode_overrides in modes.items():
                mode_overrides = _overrides(mode_overrides, f"suite.modes.{mode}")
                for seed in seeds:
                    overrides = (
                        *common,
                        *task.overrides,
                        *backbone_overrides,
                        *mode_overrides,
                        f"seed={seed}",
                        f"++data.split_seed={split_seed}",  # ++: hashed labels have none
                    )
                    runs.append(
                        RunSpec(task.name, str(backbone), str(mode), seed, overrides, pretrained)
                    )
    return runs


def corpus_mix(suite: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The parts of the chosen pretraining corpus when the suite writes it itself, else None."""
    entry = _chosen_corpus(suite)
    if not isinstance(entry, Mapping):
        return None
    if not set(entry) <= MIX_KEYS or "parts" not in entry:
        where = f"suite.pretrain_corpora.{suite.get('pretrain_data')}"
        raise SuiteError(
            f"{where} must be a list of overrides or a mapping with keys parts, overrides"
        )
    return _mapping(entry, "parts", f"suite.pretrain_corpora.{suite['pretrain_data']}.parts")


def pretrain_specs(suite: Mapping[str, Any], mix_file: Path) -> list[PretrainSpec]:
    """The suite's pretraining runs on its chosen corpus (``pretrain_data``), or none.

    Overrides: ``pretrain.overrides`` (shared: steps, model size, seed), then the corpus's entry
    in ``pretrain_corpora`` (a corpus mix reads ``mix_file``, where the suite writes it), then
    the run's own (its objective).
    """
    pretrain = suite.get("pretrain")
    if not pretrain:
        return []
    common = _overrides(pretrain.get("overrides"), "suite.pretrain.overrides")
    entry, where = _chosen_corpus(suite), f"suite.pretrain_corpora.{suite.get('pretrain_data')}"
    if corpus_mix(suite) is not None:
        corpus_overrides = (
            "corpus=files",
            f"corpus.path={quoted(mix_file)}",
            "corpus.text_column=text",
            *_overrides(entry.get("overrides"), f"{where}.overrides"),
        )
    else:
        corpus_overrides = _overrides(entry, where)
    runs = _mapping(pretrain, "runs", "suite.pretrain.runs")
    return [
        PretrainSpec(
            str(name),
            (*common, *corpus_overrides, *_overrides(own, f"suite.pretrain.runs.{name}")),
        )
        for name, own in runs.items()
    ]


def compared_pairs(suite: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The backbone pairs a paired test compares on every task (``suite.compare``)."""
    pairs = suite.get("compare") or []
    backbones = set(_mapping(suite, "backbones"))
    checked = []
    for pair in pairs:
        if (
            isinstance(pair, str)
            or not isinstance(pair, Sequence)
            or len(pair) != 2
            or not set(pair) <= backbones
        ):
            raise SuiteError(
                f"suite.compare: {pair!r} is not a pair of backbones ({sorted(backbones)})"
            )
        checked.append((str(pair[0]), str(pair[1])))
    return checked


def _chosen_corpus(suite: Mapping[str, Any]) -> Any:
    corpus = suite.get("pretrain_data")
    corpora = suite.get("pretrain_corpora") or {}
    if corpus not in corpora:
        raise SuiteError(
            f"suite.pretrain_data={corpus!r} is not one of suite.pretrain_corpora {sorted(corpora)}"
        )
    return corpora[corpus]


def _seeds(suite: Mapping[str, Any]) -> list[int]:
    seeds = suite.get("seeds")
    if (
        not isinstance(seeds, Sequence)
        or isinstance(seeds, str)
        or not seeds
        or not all(isinstance(s, int) and not isinstance(s, bool) for s in seeds)
    ):
        raise SuiteError(f"suite.seeds must be a non-empty list of ints, got {seeds!r}")
    if len(set(seeds)) != len(seeds):
        raise SuiteError(f"suite.seeds repeats a seed: {list(seeds)}")
    return list(seeds)


def _int(suite: Mapping[str, Any], key: str) -> int:
    value = suite.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SuiteError(f"suite.{key} must be an int, got {value!r}")
    return value


def _mapping(parent: Mapping[str, Any], key: str, where: str | None = None) -> Mapping[str, Any]:
    value = parent.get(key)
    if not isinstance(value, Mapping) or not value:
        raise SuiteError(f"{where or f'suite.{key}'} must be a non-empty mapping")
    return value


def _overrides(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise SuiteError(f"{where} must be a list of override strings, got {value!r}")
    for item in value:
        if not isinstance(item, str) or "=" not in item:
            raise SuiteError(f"{where}: {item!r} is not an override like key=value")
    return tuple(value)
