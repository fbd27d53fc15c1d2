"""From a raw message dump to a keyword tagger with no hand labels: silver-label, then fine-tune.

The dump is read (dropping excluded rows, e.g. the KISA held-out day, and any message whose hash
is in an evaluation set), de-duplicated exactly, sampled, labelled by the silver labeller against
a background corpus, and the tagger is fine-tuned on those labels with the usual loop.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict

from electra_rtd.corpus_tools.silver import SilverConfig, SilverLabeller
from electra_rtd.data.corpus import corpus_parts, iter_records
from electra_rtd.data.hashed_labels import read_label_file
from electra_rtd.data.held_out import keep_for_training
from electra_rtd.data.labelled import write_labelled
from electra_rtd.schema import CorpusConfig
from electra_rtd.training.finetune import finetune_tagger

log = logging.getLogger(__name__)


def excluded_hashes(paths: str | Sequence[str] | None) -> set[str]:
    """SHA-256 hashes of messages kept out of training (hand-labelled dev and test sets)."""
    if not paths:
        return set()
    hashes = set()
    for path in [paths] if isinstance(paths, str) else paths:
        hashes.update(read_label_file(path))
    return hashes


def read_messages(silver_cfg: DictConfig) -> list[str]:
    """Distinct messages of the corpus without excluded rows, sampled to ``max_messages``."""
    exclude = {column: [str(v) for v in values] for column, values in silver_cfg.exclude.items()}
    banned = excluded_hashes(silver_cfg.get("exclude_hashes"))
    rows = list(
        iter_records(
            corpus_parts(silver_cfg.corpus),
            silver_cfg.text_column,
            keep_columns=tuple(exclude),
        )
    )
    # The evaluation sets' messages go the way of the held-out day: with their recurrences.
    kept = keep_for_training(rows, exclude, banned)
    texts = list(dict.fromkeys(row["text"] for row in kept))
    log.info("%d distinct messages after the held-out rows and evaluation sets", len(texts))
    random.Random(silver_cfg.seed).shuffle(texts)
    return texts[: silver_cfg.max_messages]


def read_background(silver_cfg: DictConfig) -> list[str]:
    """Ordinary Korean text whose vocabulary the keywords must stand out against."""
    rows = iter_records(corpus_parts(silver_cfg.background), silver_cfg.background_column)
    texts = [row["text"] for _, row in zip(range(silver_cfg.max_background), rows, strict=False)]
    log.info("%d background messages from %s", len(texts), silver_cfg.background)
    return texts


def pretrain_backbone(cfg: DictConfig, texts: list[str], out_dir: Path) -> Path:
    """RTD-pretrain ``cfg.model`` on the messages the tagger will learn from; its discriminator.

    The same distinct messages (held-out day and hand-labelled sets already dropped), the same
    model, optimizer and trainer settings, with ``silver.pretrain_steps`` updates.
    """
    from electra_rtd.training.pretrain import pretrain

    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = out_dir / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps({"text": text}, ensure_ascii=False) + "\n" for text in texts)
    pretrain_cfg = cfg.copy()
    with open_dict(pretrain_cfg):
        pretrain_cfg.task = "pretrain"
        pretrain_cfg.data = None  # pretraining reads the corpus, not the labelled set
        pretrain_cfg.corpus = CorpusConfig(
            source="files",
            path=str(corpus),
            text_column="text",
            max_length=cfg.data.max_length,
            eval_size=min(1000, len(texts) // 10),
            num_proc=None,
            streaming=False,
            exclude={},
        )
        pretrain_cfg.trainer.max_steps = cfg.silver.pretrain_steps
    pretrain(pretrain_cfg, out_dir)  # logs and writes its held-out RTD metrics
    return out_dir / "export" / "discriminator"


def write_silver_labels(cfg: DictConfig, texts: list[str], run_dir: Path) -> Path:
    """Silver-label ``texts`` against the background into ``run_dir/silver.jsonl``."""
    silver_file = run_dir / "silver.jsonl"
    run_dir.mkdir(parents=True, exist_ok=True)
    labeller = SilverLabeller(SilverConfig(**OmegaConf.to_container(cfg.silver.labeller)))
    messages = labeller.fit_label(texts, read_background(cfg.silver))
    write_labelled(messages, silver_file)
    vocabulary = [term.keyword for term in labeller.vocabulary]
    (run_dir / "silver_vocabulary.json").write_text(
        json.dumps(vocabulary, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    log.info("silver labels for %d messages; top keywords: %s", len(messages), vocabulary[:30])
    return silver_file


def train_silver_tagger(cfg: DictConfig, run_dir: Path) -> dict[str, float]:
    """Silver-label ``cfg.silver.corpus`` into ``run_dir/silver.jsonl`` and fine-tune on it, from
    a backbone RTD-pretrained on the same messages when ``silver.pretrain_steps`` is set."""
    texts = read_messages(cfg.silver)
    silver_file = write_silver_labels(cfg, texts, run_dir)
    with open_dict(cfg):
        cfg.data.path = str(silver_file)
        if cfg.silver.get("pretrain_steps"):
            cfg.model.path = str(pretrain_backbone(cfg, texts, run_dir / "pretrain"))
    return finetune_tagger(cfg, run_dir)
