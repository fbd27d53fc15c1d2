"""The update loop shared by pretraining and fine-tuning: epochs, exact resume, accumulation."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from accelerate import Accelerator
from torch.optim.lr_scheduler import LRScheduler
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from electra_rtd.training.checkpointing import Progress, load_checkpoint
from electra_rtd.training.optim import build_optimizer, build_scheduler, warmup_steps
from electra_rtd.training.tracking import init_tracking

log = logging.getLogger(__name__)

# forward(batch, (epoch, batch_in_epoch)) -> an output with a ``loss``
Forward = Callable[[dict[str, torch.Tensor], tuple[int, int]], Any]


class TrainingSetupError(ValueError):
    """Training cannot make progress as configured (no batch per epoch, nothing left to do)."""


def prepare_training(
    accelerator: Accelerator,
    model: torch.nn.Module,
    loader: DataLoader,
    cfg: Any,
    checkpoint: Path | None,
    run_dir: Path,
) -> tuple[torch.nn.Module, torch.optim.Optimizer, DataLoader, LRScheduler, Progress]:
    """Optimizer and schedule, wrapped by accelerate, restored from ``checkpoint`` if given; then
    tracking starts. The schedule counts optimizer updates and is stepped by the loop by hand."""
    optimizer = build_optimizer(model, cfg.optim)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    total_steps = cfg.trainer.max_steps
    warmup = warmup_steps(cfg.optim, total_steps)
    if warmup >= total_steps:
        log.warning(
            "warmup of %d steps is not shorter than the run (%d): the learning rate never "
            "reaches optim.lr=%g (set optim.warmup_steps or optim.warmup_ratio)",
            warmup,
            total_steps,
            cfg.optim.lr,
        )
    scheduler = build_scheduler(optimizer, warmup, total_steps)
    accelerator.register_for_checkpointing(scheduler)
    progress = load_checkpoint(accelerator, checkpoint) if checkpoint is not None else Progress()
    if progress.step > total_steps:
        raise TrainingSetupError(
            f"{checkpoint}: the checkpoint is at step {progress.step}, past "
            f"trainer.max_steps={total_steps}; raise trainer.max_steps to train on from it"
        )
    init_tracking(accelerator, cfg, run_dir)
    return model, optimizer, loader, scheduler, progress


def progress_bar(accelerator: Accelerator, progress: Progress, total_steps: int, desc: str) -> tqdm:
    """The run's bar, on the main process only. Where stderr is a file rather than a terminal
    it is redrawn once a minute, so a redirected log is not flooded with bar updates."""
    return tqdm(
        total=total_steps,
        initial=progress.step,
        desc=desc,
        disable=not accelerator.is_local_main_process,
        mininterval=0.1 if sys.stderr.isatty() else 60,
    )


def optimizer_updates(
    accelerator: Accelerator,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: LRScheduler,
    loader: DataLoader,
    progress: Progress,
    total_steps: int,
    max_grad_norm: float | None,
    forward: Forward,
) -> Iterator[Any]:
    """Train until ``progress.step == total_steps``, yielding the output after each update.

    ``progress`` is updated in place, so a checkpoint taken between two yields records the exact
    batch to resume from. Each epoch reshuffles with the sampler's seed and the epoch number, so
    skipping ``batch_in_epoch`` batches on resume lands on the batch an uninterrupted run would
    see next. The schedule steps once per optimizer update, whatever the accumulation.

    An epoch whose batch count is not a multiple of the accumulation ends with a short group:
    accelerate syncs there, but its gradient is a fraction of an update's (each micro-batch loss
    is divided by the full count), so it is dropped rather than applied and counted as an update.
    Every update therefore sees the same global batch, as in the reference's fixed batch size.
    A whole epoch without an update (no batch at all, or no complete group) raises
    `TrainingSetupError` instead of looping for ever.
    """
    accumulation = accelerator.gradient_accumulation_steps
    while progress.step < total_steps:
        loader.set_epoch(progress.epoch)
        step_at_epoch_start, whole_epoch = progress.step, progress.batch_in_epoch == 0
        batches = (
            accelerator.skip_first_batches(loader, progress.batch_in_epoch)
            if progress.batch_in_epoch
            else loader
        )
        for batch in batches:
            position = (progress.epoch, progress.batch_in_epoch)
            progress.batch_in_epoch += 1
            complete = progress.batch_in_epoch % accumulation == 0
            with accelerator.accumulate(model):
                out = forward(batch, position)
                accelerator.backward(out.loss)
                if accelerator.sync_gradients and complete:
                    if max_grad_norm:
                        accelerator.clip_grad_norm_(model.parameters(), max_grad_norm)
                    optimizer.step()
                optimizer.zero_grad(set_to_none=True)  # only acts where gradients sync
            if accelerator.sync_gradients and not complete:
                log.debug(
                    "epoch %d: last %d micro-batches dropped (accumulation %d)",
                    progress.epoch,
                    progress.batch_in_epoch % accumulation,
                    accumulation,
                )
            elif accelerator.sync_gradients:
                scheduler.step()
                progress.step += 1
                yield out
                if progress.step >= total_steps:
                    return
        if whole_epoch and progress.batch_in_epoch == 0:
            raise TrainingSetupError(
                f"an epoch of the training split gave no batch: {_sizes(loader)}"
            )
        if whole_epoch and progress.step == step_at_epoch_start:
            raise TrainingSetupError(
                f"an epoch of {progress.batch_in_epoch} batches holds no complete group of "
                f"{accumulation} (trainer.gradient_accumulation_steps): use more data, a smaller "
                "trainer.batch_size or less accumulation"
            )
        progress.epoch += 1
        progress.batch_in_epoch = 0


def _sizes(loader: DataLoader) -> str:
    """The numbers that explain an empty epoch, for the error message."""
    dataset = loader.dataset
    messages = f"{len(dataset)} messages" if hasattr(dataset, "__len__") else "a streamed split"
    batch = getattr(loader, "total_batch_size", None) or loader.batch_size
    return (
        f"{messages}, batch size {batch} over all processes (a split smaller than one batch gives "
        "none when the last partial batch is dropped); lower corpus.eval_size or "
        "trainer.batch_size, or give more messages"
    )
