"""Dispatch a composed config to the job it names (``task``)."""

from __future__ import annotations

import logging
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

log = logging.getLogger(__name__)


def run_dir_from_hydra() -> Path:
    """The run directory Hydra created for this job."""
    return Path(HydraConfig.get().runtime.output_dir)


def run_task(cfg: DictConfig, run_dir: Path | None = None) -> dict[str, float]:
    """Run ``cfg.task`` in ``run_dir`` (Hydra's output directory by default)."""
    run_dir = run_dir or run_dir_from_hydra()
    if cfg.task == "pretrain":
        from electra_rtd.training.pretrain import pretrain

        return pretrain(cfg, run_dir)
    if cfg.task == "finetune_tagger":
        from electra_rtd.training.finetune import finetune_tagger

        return finetune_tagger(cfg, run_dir)
    if cfg.task == "silver_tagger":
        from electra_rtd.training.silver_tagger import train_silver_tagger

        return train_silver_tagger(cfg, run_dir)
    if cfg.task == "kisa_tagger":
        from electra_rtd.training.kisa_tagger import train_kisa_tagger

        return train_kisa_tagger(cfg, run_dir)
    raise ValueError(
        f"unknown task {cfg.task!r}: expected 'pretrain', 'finetune_tagger', 'silver_tagger' "
        "or 'kisa_tagger'"
    )
