"""Process-level setup shared by every training job: accelerator, run directory, logging, RNG."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import datasets
import torch
import transformers
from accelerate import Accelerator
from accelerate.utils import (
    DataLoaderConfiguration,
    ProjectConfiguration,
    gather_object,
    set_seed,
)

from electra_rtd.models.electra import require_weights
from electra_rtd.schema import TrainerConfig
from electra_rtd.training.checkpointing import find_resume_checkpoint, reuse_tokenizer
from electra_rtd.training.tracking import tracker_name

log = logging.getLogger(__name__)


def resolve_mixed_precision(requested: str) -> str:
    """``auto`` means bf16 where the GPU supports it and full precision elsewhere (e.g. CPU)."""
    if requested != "auto":
        return requested
    if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return "bf16"
    return "no"


def build_accelerator(trainer_cfg: TrainerConfig, logger_cfg: Any, run_dir: Path) -> Accelerator:
    """One Accelerator for CPU, one GPU or several (whatever ``accelerate launch`` set up)."""
    accelerator = Accelerator(
        mixed_precision=resolve_mixed_precision(trainer_cfg.mixed_precision),
        gradient_accumulation_steps=trainer_cfg.gradient_accumulation_steps,
        log_with=tracker_name(logger_cfg),
        project_config=ProjectConfiguration(project_dir=str(run_dir)),
        dataloader_config=DataLoaderConfiguration(use_seedable_sampler=True),
        cpu=trainer_cfg.cpu,
        dynamo_backend="inductor" if trainer_cfg.compile else None,
    )
    configure_logging(accelerator)
    check_same_run_dir(accelerator, run_dir)
    return accelerator


def start_run(
    cfg: Any, run_dir: Path, weight_keys: tuple[str, ...] = ("path", "generator_path", "tokenizer")
) -> tuple[Accelerator, Path | None]:
    """The start every training job shares: fail early on missing weights, build the accelerator,
    seed, and find the checkpoint to resume, whose tokenizer the new run keeps."""
    require_weights(cfg.model, weight_keys)
    accelerator = build_accelerator(cfg.trainer, cfg.get("logger"), run_dir)
    set_seed(cfg.seed)
    checkpoint = find_resume_checkpoint(cfg.get("resume"), run_dir.parent)
    if checkpoint is not None and accelerator.is_main_process:
        reuse_tokenizer(checkpoint, run_dir / "tokenizer")
    return accelerator, checkpoint


def configure_logging(accelerator: Accelerator) -> None:
    """Full logs from the main process; warnings only from the others, as in HF's examples."""
    logging.getLogger("accelerate").setLevel(logging.WARNING)  # one line per saved file otherwise
    # RTD's generator shares the discriminator's embeddings; safetensors stores them once and
    # accelerate warns so at every checkpoint (the resume test checks they come back).
    logging.getLogger("accelerate.utils.other").setLevel(logging.ERROR)
    if accelerator.is_local_main_process:
        datasets.utils.logging.set_verbosity_warning()
        transformers.utils.logging.set_verbosity_warning()
    else:
        logging.getLogger().setLevel(logging.WARNING)
        datasets.utils.logging.set_verbosity_error()
        transformers.utils.logging.set_verbosity_error()


def check_same_run_dir(accelerator: Accelerator, run_dir: Path) -> None:
    """All processes must write into one run directory; stop early if the launch split them."""
    if accelerator.num_processes == 1:
        return
    dirs = gather_object([str(run_dir.resolve())])
    if len(set(dirs)) != 1:
        raise RuntimeError(
            f"processes disagree on the output directory: {sorted(set(dirs))}. "
            "Set hydra.run.dir explicitly when launching on several nodes."
        )


def launch_stamp() -> str:
    """A run folder name unique to one launch, that every process of an ``accelerate launch``
    agrees on.

    Hydra's ``${now:}`` is evaluated per process and may differ by a second between ranks, which
    would split one run over several folders. Worker processes share their launcher as parent,
    so its start time (to the millisecond) and pid name the run; a single process uses its own.
    The pid keeps two launches in the same millisecond apart.
    """
    import datetime

    import psutil

    process = psutil.Process(os.getppid() if "LOCAL_RANK" in os.environ else os.getpid())
    started = datetime.datetime.fromtimestamp(process.create_time())
    return f"{started:%Y-%m-%d_%H-%M-%S}.{started.microsecond // 1000:03d}_{process.pid}"


def step_rng(
    seed: int, micro_step: int, process_index: int, device: torch.device
) -> torch.Generator:
    """The RNG of one micro-step: a pure function of (seed, step, rank), so resumes replay it."""
    rng = torch.Generator(device=device)
    rng.manual_seed((seed * 1_000_003 + micro_step) * 1_009 + process_index)
    return rng
