"""Backbones a suite pretrains itself (RTD, MLM), with one tokenizer shared by every run.

Comparing objectives is only fair when the models see the same vocabulary: a tokenizer trained
separately per run would differ with the training split and settings. So the suite trains one
WordPiece on the pretraining corpus's training split, exactly as a pretraining run would (same
split seed, same ``model.vocab_size``), and hands the folder to every run as ``model.tokenizer``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from datasets import Dataset
from omegaconf import DictConfig
from transformers import PreTrainedTokenizerBase

from electra_rtd.data.pretraining import (
    corpus_path,
    holdout_split,
    load_messages,
    prepare_tokenizer,
)

log = logging.getLogger(__name__)

# The export a tagger is fine-tuned from, by pretraining objective (see training/export.py).
ENCODER_EXPORTS = {"rtd": "discriminator", "mlm": "mlm"}


def pretraining_texts(pretrain_cfg: DictConfig, cache_dir: Path) -> Dataset:
    """The training split of ``pretrain_cfg``'s corpus, as its pretraining run splits it
    (``cache_dir`` receives the synthetic corpus when the corpus is the embedded one)."""
    corpus = pretrain_cfg.corpus
    messages = load_messages(corpus, corpus_path(corpus, cache_dir))
    train_texts, _ = holdout_split(messages, corpus.eval_size, pretrain_cfg.seed)
    return train_texts


def train_shared_tokenizer(
    pretrain_cfg: DictConfig, train_texts: Dataset, out_dir: Path
) -> PreTrainedTokenizerBase:
    """Train the WordPiece of ``pretrain_cfg`` on ``train_texts`` into ``out_dir``."""
    if pretrain_cfg.model.get("tokenizer") or pretrain_cfg.model.get("path"):
        raise ValueError(
            "suite.shared_tokenizer trains a tokenizer for models pretrained from scratch, but "
            f"the pretraining model already names one ({pretrain_cfg.model.get('tokenizer')!r}, "
            f"path {pretrain_cfg.model.get('path')!r}); drop shared_tokenizer or model.path"
        )
    tokenizer = prepare_tokenizer(pretrain_cfg.model, train_texts, out_dir)
    log.info("shared tokenizer: %d tokens in %s", len(tokenizer), out_dir)
    return tokenizer


def encoder_export(run_dir: Path, objective: str) -> Path:
    """The exported encoder of a finished pretraining run, to fine-tune a tagger from."""
    if objective not in ENCODER_EXPORTS:
        raise ValueError(f"no encoder export known for objective {objective!r}")
    folder = run_dir / "export" / ENCODER_EXPORTS[objective]
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"pretraining run {run_dir} exported no {folder.name} model")
    return folder
