"""Fine-tuning with accelerate, one loop for every head: keyword tagging (token classification)
and text classification (``training/classify.py``). A task brings its model, batches and scores
(`FinetuneJob`); the loop trains, keeps the weights best on dev, exports them and scores the
export on the test split."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from accelerate import Accelerator
from datasets import Dataset
from omegaconf import DictConfig
from torch.utils.data import DataLoader
from transformers import (
    DataCollatorForTokenClassification,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from electra_rtd.data.batching import make_train_loader
from electra_rtd.data.labelled import LabelledMessage
from electra_rtd.data.pretraining import prepare_tokenizer
from electra_rtd.data.tagging_sets import load_tagging_splits
from electra_rtd.data.token_labels import bio_label_names, encode_labelled
from electra_rtd.metrics.pretraining import format_metrics, metrics_block
from electra_rtd.models.electra import count_parameters
from electra_rtd.models.heads import Head, apply_lora, build_tagger, export_finetuned
from electra_rtd.schema import TaggingConfig
from electra_rtd.tagging import KeywordTagger
from electra_rtd.tagging.scoring import score_tagger
from electra_rtd.text.keyword_norm import plain_keyword
from electra_rtd.training.checkpointing import save_checkpoint
from electra_rtd.training.loop import optimizer_updates, prepare_training, progress_bar
from electra_rtd.training.model_card import write_model_card
from electra_rtd.training.runtime import start_run
from electra_rtd.training.tracking import end_tracking, tracker_metrics

log = logging.getLogger(__name__)


@dataclass
class FinetuneJob:
    """What a fine-tuning task hands the loop."""

    name: str  # the progress bar's label
    model: torch.nn.Module  # with its head, LoRA-wrapped when tagging.mode=lora
    tokenizer: PreTrainedTokenizerBase
    train_loader: DataLoader
    dev_scores: Callable[[PreTrainedModel], dict[str, float]]  # of the model in eval mode
    test_scores: Callable[[Path], dict[str, float]]  # of the exported model folder


def finetune_tagger(
    cfg: DictConfig, run_dir: Path, splits: dict[str, list[LabelledMessage]] | None = None
) -> dict[str, float]:
    """Fine-tune a keyword tagger; keep the weights best on dev by ``tagging.select_metric``;
    score them on the test split. ``splits`` (train/dev/test) replace ``cfg.data`` when a
    caller holds them already."""
    accelerator, checkpoint = start_run(cfg, run_dir, weight_keys=("path", "tokenizer"))
    trainer, tagging = cfg.trainer, cfg.tagging

    # Labelled messages, split by message with near-duplicates on one side; labels per subword.
    with accelerator.main_process_first():
        if splits is None:
            splits = load_tagging_splits(cfg.data)
        train_texts = Dataset.from_dict({"text": [m.text for m in splits["train"]]})
        tokenizer = prepare_tokenizer(cfg.model, train_texts, run_dir / "tokenizer")
        label_names = bio_label_names(s.label for m in splits["train"] for s in m.spans)
        label2id = {name: index for index, name in enumerate(label_names)}
        train_set = encode_labelled(
            splits["train"],
            tokenizer,
            label2id,
            cfg.data.max_length,
            tagging.label_all_subwords,
            stride=cfg.data.stride,
        )
    collate = DataCollatorForTokenClassification(
        tokenizer, pad_to_multiple_of=trainer.pad_to_multiple_of
    )
    model = build_tagger(cfg.model, tokenizer, label_names)
    options = {
        "batch_size": trainer.eval_batch_size,
        "max_length": cfg.data.max_length,
        "stride": cfg.data.stride,
    }
    normalise = keyword_form(tagging.keyword_form)

    def dev_scores(model: PreTrainedModel) -> dict[str, float]:
        tagger = KeywordTagger(model, tokenizer, label_names, **options)
        return score_tagger(tagger, splits["dev"], normalise)

    def test_scores(exported: Path) -> dict[str, float]:
        tagger = KeywordTagger.from_pretrained(exported, **options)
        return score_tagger(tagger, splits["test"], normalise)

    job = FinetuneJob(
        name="tagging",
        model=with_mode(model, tagging, "token"),
        tokenizer=tokenizer,
        train_loader=make_train_loader(train_set, trainer, collate, cfg.seed),
        dev_scores=dev_scores,
        test_scores=test_scores,
    )
    return finetune(cfg, run_dir, accelerator, checkpoint, job)


def with_mode(model: PreTrainedModel, tagging: TaggingConfig, head: Head) -> torch.nn.Module:
    """The model as ``tagging.mode`` trains it: whole (``full``) or through LoRA adapters."""
    if tagging.mode == "lora":
        return apply_lora(model, tagging.lora, head)
    if tagging.mode != "full":
        raise ValueError(f"tagging.mode must be 'full' or 'lora', got {tagging.mode!r}")
    return model


def finetune(
    cfg: DictConfig,
    run_dir: Path,
    accelerator: Accelerator,
    checkpoint: Path | None,
    job: FinetuneJob,
) -> dict[str, float]:
    """Train ``job.model`` for ``trainer.max_steps`` updates, scoring dev every
    ``tagging.eval_every`` (early stop after ``tagging.early_stopping_patience`` evaluations
    without gain); export the best weights by ``tagging.select_metric`` and score them on test."""
    trainer, tagging = cfg.trainer, cfg.tagging
    model, optimizer, train_loader, scheduler, progress = prepare_training(
        accelerator, job.model, job.train_loader, cfg, checkpoint, run_dir
    )
    total_steps = trainer.max_steps

    def dev_scores() -> dict[str, float]:
        unwrapped = accelerator.unwrap_model(model)
        unwrapped.eval()
        with torch.inference_mode():
            scores = job.dev_scores(unwrapped)
        unwrapped.train()
        return scores

    best_score, best_step, evals_without_gain = -1.0, 0, 0
    best_state: dict[str, torch.Tensor] = {}
    bar = progress_bar(accelerator, progress, total_steps, job.name)
    started = time.perf_counter()
    model.train()
    updates = optimizer_updates(
        accelerator, model, optimizer, scheduler, train_loader, progress, total_steps,
        trainer.max_grad_norm, lambda batch, _: model(**batch),
    )  # fmt: skip
    for out in updates:
        bar.update(1)
        if progress.step % trainer.log_every == 0:
            train_loss = accelerator.reduce(out.loss.detach(), reduction="mean").item()
            lr = scheduler.get_last_lr()[0]
            accelerator.log(
                {"train/loss": train_loss, "train/learning_rate": lr}, step=progress.step
            )
            bar.set_postfix(loss=f"{train_loss:.3f}")

        # Dev evaluation on the main process; the best weights are kept by the select metric.
        if progress.step % tagging.eval_every == 0 or progress.step == total_steps:
            scores = dev_scores() if accelerator.is_main_process else {}
            accelerator.log({f"eval/{k}": v for k, v in scores.items()}, step=progress.step)
            if accelerator.is_main_process:
                log.info("step %d dev: %s", progress.step, format_metrics(scores))
                if scores[tagging.select_metric] > best_score:
                    best_score, best_step = scores[tagging.select_metric], progress.step
                    evals_without_gain = 0
                    best_state = cpu_state_dict(accelerator.unwrap_model(model))
                else:
                    evals_without_gain += 1
            patience = tagging.early_stopping_patience
            stop = accelerator.is_main_process and patience and evals_without_gain >= patience
            if accelerator.gather(torch.tensor([bool(stop)], device=accelerator.device)).any():
                log.info(
                    "early stop at step %d; best dev %s at %d",
                    progress.step,
                    tagging.select_metric,
                    best_step,
                )
                break
        if trainer.save_every and progress.step % trainer.save_every == 0:
            save_checkpoint(accelerator, run_dir / "checkpoints", progress, trainer.keep_last)
    bar.close()
    train_seconds = time.perf_counter() - started

    # Reload the best weights, export a plain model and score the export on the test split.
    accelerator.wait_for_everyone()
    metrics: dict[str, float] = {}
    if accelerator.is_main_process:
        best = accelerator.unwrap_model(model)
        best.load_state_dict(best_state)
        exported = export_finetuned(best, job.tokenizer, run_dir / "export")
        metrics = {f"test_{k}": v for k, v in job.test_scores(exported).items()}
        metrics.update(
            **{f"best_dev_{tagging.select_metric}": best_score},
            best_step=best_step,
            train_seconds=train_seconds,
            parameters=count_parameters(best),
            steps=progress.step,
        )
        (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
        write_model_card(exported, cfg, metrics)
        log.info("test metrics\n%s", metrics_block(metrics))
    accelerator.log(tracker_metrics(metrics), step=progress.step)
    end_tracking(accelerator)
    return metrics


def cpu_state_dict(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A detached CPU copy of the weights (the best dev model, restored at the end)."""
    return {key: value.detach().to("cpu", copy=True) for key, value in model.state_dict().items()}


def keyword_form(form: str) -> Callable[[str], str] | None:
    """How keyword sets are compared: ``surface`` strings or their plain ``norm`` forms."""
    if form == "surface":
        return None
    if form == "norm":
        return plain_keyword
    raise ValueError(f"tagging.keyword_form must be 'surface' or 'norm', got {form!r}")
