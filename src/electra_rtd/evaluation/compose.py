"""Compose ``train.yaml`` for the runs of a suite, as ``python train.py OVERRIDES`` would.

Hydra's compose API is used rather than merging YAML by hand, so config groups, ``+experiment=``
files, ``++`` and defaults-list overrides mean exactly what they mean on train.py's command line,
and a run can be repeated with the overrides stored in results.json. Inside ``evaluate.py``'s
``@hydra.main`` Hydra is already initialised on the same ``conf/`` folder and is reused; called
from plain Python (tests, notebooks) it is initialised on ``conf_dir`` for the call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig

from electra_rtd.config import register_resolvers
from electra_rtd.schema import checked

TRAIN_CONFIG = "train"


def compose_train_config(overrides: Sequence[str], conf_dir: Path) -> DictConfig:
    """``conf/train.yaml`` with ``overrides`` applied (no ``hydra`` node), checked against the
    schemas, so a suite with a bad run config stops before training anything."""
    register_resolvers()
    if GlobalHydra.instance().is_initialized():
        return checked(compose(config_name=TRAIN_CONFIG, overrides=list(overrides)))
    with initialize_config_dir(str(conf_dir.resolve()), version_base="1.3"):
        return checked(compose(config_name=TRAIN_CONFIG, overrides=list(overrides)))


def quoted(value: object) -> str:
    """A value as a single-quoted Hydra override string, safe for paths with spaces or quotes.

    Hydra's rule: inside quotes only backslashes that precede a quote (or the closing quote)
    are escapes, so those are doubled before each quote is escaped.
    """
    text = re.sub(r"(\\+)(?='|$)", r"\1\1", str(value)).replace("'", "\\'")
    return f"'{text}'"
