"""Dispatch a composed config to the job it names (``task``)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from tqdm.contrib.logging import logging_redirect_tqdm

from electra_rtd.outputs import check_output
from electra_rtd.schema import checked
from electra_rtd.training.run_folder import LAUNCH_FILE, LOCK_FILE

log = logging.getLogger(__name__)

Result = TypeVar("Result")
HYDRA_FILES = ".hydra"
# Where a job reads messages or labels from: its run folder must not lie inside any of them.
INPUT_KEYS = (
    "corpus.path",
    "data.path",
    "data.corpus",
    "data.labels",
    "silver.corpus",
    "silver.background",
)


def run_job(job: Callable[[DictConfig, Path], Result], cfg: DictConfig) -> Result:
    """What train.py and evaluate.py share around their job: log lines are written above the
    progress bars (not glued onto them), and a run that fails before writing anything (a config
    that does not validate, missing weights) leaves no empty run folder behind."""
    run_dir = run_dir_from_hydra()
    try:
        with logging_redirect_tqdm():
            return job(cfg, run_dir)
    except Exception:
        remove_unused_run_dir(run_dir, f"{HydraConfig.get().job.name}.log")
        raise


def remove_unused_run_dir(run_dir: Path, log_name: str) -> None:
    """Delete ``run_dir`` when it holds only what Hydra and the run folder lock put there (the
    config copy, the log and the lock file)."""
    unused = {HYDRA_FILES, log_name, LOCK_FILE, LAUNCH_FILE}
    if run_dir.is_dir() and {p.name for p in run_dir.iterdir()} <= unused:
        shutil.rmtree(run_dir)
        log.info("removed %s: the run failed before writing anything", run_dir)


def run_dir_from_hydra() -> Path:
    """The run directory Hydra created for this job."""
    return Path(HydraConfig.get().runtime.output_dir)


def refuse_run_dir_inside_inputs(cfg: DictConfig, run_dir: Path) -> None:
    """A run folder inside a corpus folder would be read back in, as messages, by the next run
    on that folder (its silver labels, exports and logs): refuse it before any work."""
    inputs = [OmegaConf.select(cfg, key, default=None) for key in INPUT_KEYS]
    check_output(run_dir, [path for path in inputs if isinstance(path, str)], files=())


def run_task(cfg: DictConfig, run_dir: Path | None = None) -> dict[str, float]:
    """Check ``cfg`` against the schemas, then run ``cfg.task`` in ``run_dir`` (Hydra's output
    directory by default)."""
    checked(cfg)
    run_dir = run_dir or run_dir_from_hydra()
    refuse_run_dir_inside_inputs(cfg, run_dir)
    if cfg.task == "pretrain":
        from electra_rtd.training.pretrain import pretrain

        return pretrain(cfg, run_dir)
    if cfg.task == "finetune_tagger":
        from electra_rtd.training.finetune import finetune_tagger

        return finetune_tagger(cfg, run_dir)
    if cfg.task == "finetune_classifier":
        from electra_rtd.training.classify import finetune_classifier

        return finetune_classifier(cfg, run_dir)
    if cfg.task == "silver_tagger":
        from electra_rtd.training.silver_tagger import train_silver_tagger

        return train_silver_tagger(cfg, run_dir)
    from electra_rtd.training.kisa_tagger import train_kisa_tagger

    return train_kisa_tagger(cfg, run_dir)  # the last of schema.TASKS
