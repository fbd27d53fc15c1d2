"""Weights & Biases through accelerate's trackers, usable with no account."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from accelerate import Accelerator
from omegaconf import DictConfig, OmegaConf

log = logging.getLogger(__name__)


def tracker_name(logger_cfg: Any) -> str | None:
    """``wandb`` unless tracking is switched off (``logger=none`` or ``logger.mode=disabled``)."""
    if logger_cfg is None or logger_cfg.get("mode") == "disabled":
        return None
    return "wandb"


def wandb_mode(requested: str | None) -> str:
    """``online`` with an API key, ``offline`` without one, unless the config names a mode."""
    if requested:
        return requested
    return "online" if os.environ.get("WANDB_API_KEY") else "offline"


def init_tracking(accelerator: Accelerator, cfg: DictConfig, run_dir: Path) -> None:
    """Start the W&B run with the resolved config and the run's name, group, tags and job type."""
    logger_cfg = cfg.get("logger")
    if tracker_name(logger_cfg) is None:
        return
    mode = wandb_mode(logger_cfg.get("mode"))
    os.environ.setdefault("WANDB_SILENT", "true")
    accelerator.init_trackers(
        logger_cfg.project,
        config=OmegaConf.to_container(cfg, resolve=True),
        init_kwargs={
            "wandb": {
                "name": logger_cfg.get("name"),
                "group": logger_cfg.get("group"),
                "tags": list(logger_cfg.get("tags") or []),
                "job_type": logger_cfg.get("job_type"),
                "mode": mode,
                "dir": str(run_dir),
            }
        },
    )
    if accelerator.is_main_process:
        log.info("W&B run in %s mode under %s", mode, run_dir / "wandb")
