"""The pretraining loop (RTD or MLM) with accelerate: one function to read top to bottom."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import torch
from omegaconf import DictConfig
from torch.utils.data import DataLoader
from transformers import DataCollatorWithPadding

from electra_rtd.data.batching import make_train_loader
from electra_rtd.data.pretraining import (
    corpus_path,
    holdout_split,
    load_messages,
    prepare_tokenizer,
    tokenize,
)
from electra_rtd.metrics.pretraining import (
    StatsMeter,
    evaluate_objective,
    format_metrics,
    metrics_block,
)
from electra_rtd.objectives.build import build_objective
from electra_rtd.objectives.mlm import MLMOutput
from electra_rtd.objectives.rtd import RTDOutput
from electra_rtd.training.checkpointing import (
    save_checkpoint,
)
from electra_rtd.training.export import export_pretrained
from electra_rtd.training.loop import optimizer_updates, prepare_training, progress_bar
from electra_rtd.training.model_card import write_model_card
from electra_rtd.training.runtime import start_run, step_rng
from electra_rtd.training.tracking import end_tracking, tracker_metrics

log = logging.getLogger(__name__)


def pretrain(cfg: DictConfig, run_dir: Path) -> dict[str, float]:
    """Pretrain on ``cfg.corpus`` with ``cfg.objective``; export the models and held-out metrics."""
    accelerator, checkpoint = start_run(cfg, run_dir)
    trainer = cfg.trainer

    # Data and tokenizer: the main process fills the caches, the others then read them.
    with accelerator.main_process_first():
        corpus = cfg.corpus
        messages = load_messages(corpus, corpus_path(corpus, run_dir / "data"))
        train_texts, eval_texts = holdout_split(messages, corpus.eval_size, cfg.seed)
        tokenizer = prepare_tokenizer(cfg.model, train_texts, run_dir / "tokenizer")
        train_set = tokenize(train_texts, tokenizer, corpus.max_length, corpus.num_proc)
        eval_set = tokenize(eval_texts, tokenizer, corpus.max_length)
    collate = DataCollatorWithPadding(tokenizer, pad_to_multiple_of=trainer.pad_to_multiple_of)
    train_loader = make_train_loader(train_set, trainer, collate, cfg.seed, drop_last=True)

    # Model, optimizer, schedule (resumed from the checkpoint if there is one).
    objective = build_objective(cfg.objective, cfg.model, tokenizer, corpus.max_length)
    objective, optimizer, train_loader, scheduler, progress = prepare_training(
        accelerator, objective, train_loader, cfg, checkpoint, run_dir
    )
    total_steps = trainer.max_steps
    log.info(
        "pretraining %s for %d steps: batch %d x %d processes x %d accumulation",
        cfg.objective.name,
        total_steps,
        trainer.batch_size,
        accelerator.num_processes,
        trainer.gradient_accumulation_steps,
    )

    meter = StatsMeter()
    bar = progress_bar(accelerator, progress, total_steps, cfg.objective.name)

    def forward(batch: dict[str, torch.Tensor], position: tuple[int, int]) -> RTDOutput | MLMOutput:
        # Masks and generator samples come from an RNG keyed by the batch's place in the run,
        # so a resumed run replays exactly what an uninterrupted one would have done.
        epoch, batch_in_epoch = position
        rng = step_rng(
            cfg.seed,
            epoch * 10_000_000 + batch_in_epoch,
            accelerator.process_index,
            accelerator.device,
        )
        out = objective(**batch, rng=rng)
        meter.update(out.stats)
        return out

    last_log = time.perf_counter()
    objective.train()
    updates = optimizer_updates(
        accelerator,
        objective,
        optimizer,
        scheduler,
        train_loader,
        progress,
        total_steps,
        trainer.max_grad_norm,
        forward,
    )
    for _ in updates:
        bar.update(1)
        if progress.step % trainer.log_every == 0 or progress.step == total_steps:
            metrics = meter.compute(accelerator)
            now = time.perf_counter()
            metrics["tokens_per_second"] = metrics.pop("tokens") / (now - last_log)
            metrics["learning_rate"] = scheduler.get_last_lr()[0]
            last_log = now
            accelerator.log({f"train/{k}": v for k, v in metrics.items()}, step=progress.step)
            log.info("step %d: %s", progress.step, format_metrics(metrics))
            bar.set_postfix(loss=f"{metrics['loss']:.3f}")
        if trainer.save_every and progress.step % trainer.save_every == 0:
            save_checkpoint(accelerator, run_dir / "checkpoints", progress, trainer.keep_last)
    bar.close()

    # Held-out evaluation and export, on the main process.
    accelerator.wait_for_everyone()
    metrics: dict[str, float] = {}
    if accelerator.is_main_process:
        model = accelerator.unwrap_model(objective)
        eval_loader = DataLoader(eval_set, batch_size=trainer.eval_batch_size, collate_fn=collate)
        with accelerator.autocast():
            metrics = evaluate_objective(model, eval_loader, cfg.seed, accelerator.device)
        for folder in export_pretrained(model, tokenizer, run_dir / "export").values():
            write_model_card(folder, cfg, metrics)
        (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
        log.info("held-out metrics\n%s", metrics_block(metrics))
    accelerator.log(tracker_metrics(metrics), step=progress.step)
    end_tracking(accelerator)
    return metrics
