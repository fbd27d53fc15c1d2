"""Weights & Biases through accelerate's trackers, usable with no account.

W&B's own settings decide how a run is logged, as they do for any W&B user: ``WANDB_MODE``,
``wandb login`` (the key in ``.netrc``), ``WANDB_API_KEY``, ``WANDB_SILENT``. The project passes
a mode only when the config names one (``logger.mode``), and falls back to offline only when no
credentials exist at all, where an online run could not start.
"""

from __future__ import annotations

import configparser
import logging
import netrc
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from accelerate import Accelerator
from omegaconf import DictConfig, OmegaConf

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.wandb.ai"
# How the final metrics are named in the tracker: HF Trainer's sections, train/, eval/, test/.
SECTIONS = {"eval_": "eval/", "test_": "test/", "best_dev_": "eval/best_"}


def tracker_name(logger_cfg: Any) -> str | None:
    """``wandb`` unless tracking is switched off (``logger=none`` or ``logger.mode=disabled``)."""
    if logger_cfg is None or logger_cfg.get("mode") == "disabled":
        return None
    return "wandb"


def wandb_credentials() -> str | None:
    """Where W&B would find an API key, as it looks: ``WANDB_API_KEY`` (or an identity token
    file), the ``.netrc`` entry ``wandb login`` writes, or the settings file; None without one."""
    if os.environ.get("WANDB_API_KEY") or os.environ.get("WANDB_IDENTITY_TOKEN_FILE"):
        return "environment"
    host = urlsplit(os.environ.get("WANDB_BASE_URL") or DEFAULT_BASE_URL).netloc
    netrc_path = Path(os.environ.get("NETRC") or "~/.netrc").expanduser()
    try:
        if netrc_path.is_file() and netrc.netrc(netrc_path).authenticators(host):
            return str(netrc_path)
    except (netrc.NetrcParseError, OSError) as error:
        log.warning("cannot read %s for W&B credentials: %s", netrc_path, error)
    config_dir = os.environ.get("WANDB_CONFIG_DIR") or "~/.config/wandb"
    settings_path = Path(config_dir).expanduser() / "settings"
    settings = configparser.ConfigParser()
    settings.read(settings_path, encoding="utf-8")
    if settings.get("default", "api_key", fallback=None):
        return str(settings_path)
    return None


def wandb_mode(requested: str | None) -> str | None:
    """The mode to give ``wandb.init``: the config's; else None, so that W&B's settings decide;
    but ``offline`` when neither ``WANDB_MODE`` nor any credentials exist."""
    if requested:
        return requested
    if os.environ.get("WANDB_MODE") or wandb_credentials():
        return None
    log.info(
        "no W&B credentials (WANDB_API_KEY, `wandb login`): logging offline; upload later "
        "with `wandb sync`, or set WANDB_MODE=disabled to write nothing"
    )
    return "offline"


def wandb_init_kwargs(logger_cfg: Mapping[str, Any], run_dir: Path) -> dict[str, Any]:
    """``wandb.init`` arguments from ``logger``: name, group, tags, job type, and a mode only
    when one must be forced."""
    kwargs = {
        "name": logger_cfg.get("name"),
        "group": logger_cfg.get("group"),
        "tags": list(logger_cfg.get("tags") or []),
        "job_type": logger_cfg.get("job_type"),
        "dir": str(run_dir),
    }
    mode = wandb_mode(logger_cfg.get("mode"))
    return kwargs if mode is None else {**kwargs, "mode": mode}


def init_tracking(accelerator: Accelerator, cfg: DictConfig, run_dir: Path) -> None:
    """Start the W&B run with the resolved config and the run's name, group, tags and job type."""
    logger_cfg = cfg.get("logger")
    if tracker_name(logger_cfg) is None:
        return
    accelerator.init_trackers(
        logger_cfg.project,
        config=OmegaConf.to_container(cfg, resolve=True),
        init_kwargs={"wandb": wandb_init_kwargs(logger_cfg, run_dir)},
    )


def tracker_metrics(metrics: Mapping[str, float]) -> dict[str, float]:
    """Final metrics under the tracker's sections: ``eval_loss`` is ``eval/loss``,
    ``test_span_f1`` is ``test/span_f1``; run facts (steps, seconds, parameters) go to train/."""
    named = {}
    for key, value in metrics.items():
        prefix = next((p for p in SECTIONS if key.startswith(p)), None)
        name = SECTIONS[prefix] + key[len(prefix) :] if prefix else f"train/{key}"
        named[name] = value
    return named


def log_run_location(run: Any) -> None:
    """Say where a finished W&B run is: its URL, or the command that uploads an offline one."""
    if run is None or getattr(run, "disabled", False):
        return
    if run.settings.mode == "offline":
        log.info("W&B run saved offline; upload it with: wandb sync %s", Path(run.dir).parent)
    elif run.url:
        log.info("W&B run: %s", run.url)


def end_tracking(accelerator: Accelerator) -> None:
    """Finish the W&B run (as ``end_training``) and say where it is."""
    run = None
    if accelerator.is_main_process and any(t.name == "wandb" for t in accelerator.trackers):
        run = accelerator.get_tracker("wandb", unwrap=True)
    accelerator.end_training()
    log_run_location(run)
