"""From a raw message dump to a keyword tagger with no hand labels: silver-label, then fine-tune.

The dump is read (dropping excluded rows, e.g. the KISA held-out day, and any message whose hash
is in an evaluation set), de-duplicated exactly, sampled, labelled by the silver labeller against
a background corpus, and the tagger is fine-tuned on those labels with the usual loop.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict

from electra_rtd.corpus_tools.silver import SilverConfig, SilverLabeller
from electra_rtd.data.corpus import find_corpus_files, iter_records
from electra_rtd.data.labelled import write_labelled
from electra_rtd.training.finetune import finetune_tagger

log = logging.getLogger(__name__)


def excluded_hashes(path: str | None) -> set[str]:
    """SHA-256 hashes of messages kept out of training (a hand-labelled evaluation set)."""
    if not path:
        return set()
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["sha256"] for line in lines if line.strip()}


def read_messages(silver_cfg: DictConfig) -> list[str]:
    """Distinct messages of the corpus without excluded rows, sampled to ``max_messages``."""
    exclude = {column: {str(v) for v in values} for column, values in silver_cfg.exclude.items()}
    banned = excluded_hashes(silver_cfg.get("exclude_hashes"))
    rows = iter_records(
        find_corpus_files(silver_cfg.corpus), silver_cfg.text_column, keep_columns=tuple(exclude)
    )
    seen: dict[str, None] = {}
    dropped = 0
    for row in rows:
        text = row["text"]
        if any(row[column] in values for column, values in exclude.items()) or (
            hashlib.sha256(text.encode("utf-8")).hexdigest() in banned
        ):
            dropped += 1
            continue
        seen.setdefault(text, None)
    texts = list(seen)
    log.info("%d distinct messages (%d excluded rows dropped)", len(texts), dropped)
    random.Random(silver_cfg.seed).shuffle(texts)
    return texts[: silver_cfg.max_messages]


def read_background(silver_cfg: DictConfig) -> list[str]:
    """Ordinary Korean text whose vocabulary the keywords must stand out against."""
    rows = iter_records(find_corpus_files(silver_cfg.background), silver_cfg.background_column)
    texts = [row["text"] for _, row in zip(range(silver_cfg.max_background), rows, strict=False)]
    log.info("%d background messages from %s", len(texts), silver_cfg.background)
    return texts


def train_silver_tagger(cfg: DictConfig, run_dir: Path) -> dict[str, float]:
    """Silver-label ``cfg.silver.corpus`` into ``run_dir/silver.jsonl`` and fine-tune on it."""
    silver_file = run_dir / "silver.jsonl"
    labeller = SilverLabeller(SilverConfig(**OmegaConf.to_container(cfg.silver.labeller)))
    messages = labeller.fit_label(read_messages(cfg.silver), read_background(cfg.silver))
    write_labelled(messages, silver_file)
    vocabulary = [term.keyword for term in labeller.vocabulary]
    (run_dir / "silver_vocabulary.json").write_text(
        json.dumps(vocabulary, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    log.info("silver labels for %d messages; top keywords: %s", len(messages), vocabulary[:30])
    with open_dict(cfg):
        cfg.data.path = str(silver_file)
    return finetune_tagger(cfg, run_dir)
