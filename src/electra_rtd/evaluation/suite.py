"""An evaluation suite (``conf/suite/*.yaml``) expanded into the runs it stands for.

A suite compares backbones x training modes over several seeds on one labelled data set and one
split. Only the run seed varies between the runs of a backbone and mode; the data and the split
seed are the suite's, so every run is scored on the same test messages. Each run is a list of
``train.yaml`` overrides, exactly what ``python train.py`` would take on its command line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BACKBONE_KEYS = frozenset({"overrides", "pretrained"})


class SuiteError(ValueError):
    """A suite file is incomplete or inconsistent; the message names the key."""


@dataclass(frozen=True)
class PretrainSpec:
    """One pretraining run of a suite (e.g. RTD or MLM), shared by the backbones built on it."""

    name: str
    overrides: tuple[str, ...]


@dataclass(frozen=True)
class RunSpec:
    """One fine-tuning run: a backbone in a training mode with one seed."""

    backbone: str
    mode: str
    seed: int
    overrides: tuple[str, ...]
    # Name of the suite's pretraining run whose export initialises the model, if any.
    pretrained: str | None = None

    @property
    def name(self) -> str:
        """Folder name of the run, unique within a suite."""
        return f"{self.backbone}-{self.mode}-seed{self.seed}"


def expand_suite(suite: Mapping[str, Any]) -> list[RunSpec]:
    """Every backbone x mode x seed of ``suite``, in file order (seeds innermost).

    Overrides apply in this order, later ones winning: the suite's ``finetune`` list, the
    backbone's, the mode's, then the run seed and the suite's fixed ``split_seed``.
    """
    seeds = _seeds(suite)
    split_seed = _int(suite, "split_seed")
    common = _overrides(suite.get("finetune"), "suite.finetune")
    backbones = _mapping(suite, "backbones")
    modes = _mapping(suite, "modes")
    pretrain_names = {spec.name for spec in pretrain_specs(suite)}
    runs = []
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
                    *backbone_overrides,
                    *mode_overrides,
                    f"seed={seed}",
                    f"data.split_seed={split_seed}",
                )
                runs.append(RunSpec(str(backbone), str(mode), seed, overrides, pretrained))
    return runs


def pretrain_specs(suite: Mapping[str, Any]) -> list[PretrainSpec]:
    """The suite's pretraining runs on its chosen corpus (``pretrain_data``), or none.

    Overrides: ``pretrain.overrides`` (shared: steps, model size, seed), then the corpus's entry
    in ``pretrain_corpora``, then the run's own (its objective).
    """
    pretrain = suite.get("pretrain")
    if not pretrain:
        return []
    common = _overrides(pretrain.get("overrides"), "suite.pretrain.overrides")
    corpus = suite.get("pretrain_data")
    corpora = suite.get("pretrain_corpora") or {}
    if corpus not in corpora:
        raise SuiteError(
            f"suite.pretrain_data={corpus!r} is not one of suite.pretrain_corpora {sorted(corpora)}"
        )
    corpus_overrides = _overrides(corpora[corpus], f"suite.pretrain_corpora.{corpus}")
    runs = _mapping(pretrain, "runs", "suite.pretrain.runs")
    return [
        PretrainSpec(
            str(name),
            (*common, *corpus_overrides, *_overrides(own, f"suite.pretrain.runs.{name}")),
        )
        for name, own in runs.items()
    ]


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
