"""From a corpus (or the embedded synthetic one) to tokenized train and held-out datasets."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from datasets import Dataset, IterableDataset
from transformers import PreTrainedTokenizerBase

from electra_rtd.data.corpus import load_corpus
from electra_rtd.data.tokenization import get_or_train_tokenizer, load_tokenizer
from electra_rtd.outputs import atomic_path
from electra_rtd.schema import CorpusConfig, ModelConfig

log = logging.getLogger(__name__)

# Beside the run folders: trained vocabularies every run of the same corpus and settings reuses.
TOKENIZER_CACHE = ".tokenizers"


def synthetic_corpus(corpus_cfg: CorpusConfig, cache_dir: Path) -> Path:
    """Write the synthetic corpus once per (size, seed) and return its JSONL path."""
    from electra_rtd.data.synthetic import generate_messages, write_jsonl

    path = cache_dir / f"synthetic_{corpus_cfg.num_messages}_seed{corpus_cfg.seed}.jsonl"
    if not path.is_file():
        with atomic_path(path) as tmp:
            write_jsonl(generate_messages(corpus_cfg.num_messages, seed=corpus_cfg.seed), tmp)
        log.info("wrote %d synthetic messages to %s", corpus_cfg.num_messages, path)
    return path


def corpus_path(corpus_cfg: CorpusConfig, cache_dir: Path) -> Path:
    """The configured corpus, or the embedded synthetic one when ``corpus.source=synthetic``."""
    if corpus_cfg.source == "synthetic":
        return synthetic_corpus(corpus_cfg, cache_dir)
    if not corpus_cfg.path:
        raise ValueError("corpus.path is required unless corpus.source=synthetic")
    return Path(corpus_cfg.path)


def load_messages(corpus_cfg: CorpusConfig, path: Path) -> Dataset | IterableDataset:
    """Load the corpus and drop rows excluded by config (e.g. the KISA held-out evaluation day)."""
    exclude: dict[str, list[str]] = dict(corpus_cfg.exclude)
    dataset = load_corpus(
        path,
        text_column=corpus_cfg.text_column,
        keep_columns=tuple(exclude),
        streaming=corpus_cfg.streaming,
        num_proc=corpus_cfg.num_proc,
    )
    if exclude:
        # Held out: the excluded rows and every row repeating one of their texts on another day.
        from electra_rtd.data.held_out import HeldOut

        held_out = HeldOut.from_records(dataset, exclude)
        dataset = dataset.filter(held_out.keeps)
        log.info(
            "excluded rows with %s and %d texts recurring from them", exclude, len(held_out.banned)
        )
        dataset = dataset.remove_columns(list(exclude))
    return dataset


def holdout_split(
    dataset: Dataset | IterableDataset, eval_size: int, seed: int
) -> tuple[Dataset | IterableDataset, Dataset | IterableDataset]:
    """A seeded held-out split; when streaming, the first ``eval_size`` messages are held out and
    the rest shuffled in a buffer (reshuffled each epoch through ``set_epoch``)."""
    if isinstance(dataset, IterableDataset):
        train = dataset.skip(eval_size).shuffle(seed=seed, buffer_size=10_000)
        return train, dataset.take(eval_size)
    if eval_size >= len(dataset):
        raise ValueError(
            f"corpus.eval_size={eval_size} leaves no training data ({len(dataset)} messages)"
        )
    split = dataset.train_test_split(test_size=eval_size, seed=seed, shuffle=True)
    return split["train"], split["test"]


def iter_texts(dataset: Dataset | IterableDataset, limit: int | None = None) -> Iterator[str]:
    """Texts for tokenizer training, optionally capped so huge corpora train quickly."""
    for index, row in enumerate(dataset):
        if limit is not None and index >= limit:
            return
        yield row["text"]


def prepare_tokenizer(
    model_cfg: ModelConfig,
    train_texts: Dataset | IterableDataset,
    out_dir: Path,
    max_texts: int = 1_000_000,
) -> PreTrainedTokenizerBase:
    """The checkpoint's tokenizer (``model.tokenizer`` or ``model.path``), else WordPiece trained on
    the training split (never the held-out one) and cached in ``out_dir``. The runs beside the run
    folder share trained vocabularies (in ``TOKENIZER_CACHE``), so equal inputs give equal ids."""
    name = model_cfg.tokenizer or model_cfg.path
    if name:
        return load_tokenizer(name)
    texts = (
        train_texts["text"]
        if isinstance(train_texts, Dataset)
        else list(iter_texts(train_texts, max_texts))
    )
    return get_or_train_tokenizer(
        texts,
        out_dir,
        vocab_size=model_cfg.vocab_size,
        model_max_length=model_cfg.architecture.max_position_embeddings,
        hangul_syllables=model_cfg.hangul_syllables,
        cache_dir=out_dir.parent.parent / TOKENIZER_CACHE,
    )


def tokenize(
    dataset: Dataset | IterableDataset,
    tokenizer: PreTrainedTokenizerBase,
    max_length: int,
    num_proc: int | None = None,
) -> Dataset | IterableDataset:
    """Token ids, attention mask and special-token mask, truncated to ``max_length``."""

    def encode(batch: dict[str, list[str]]) -> dict[str, list[list[int]]]:
        return tokenizer(
            batch["text"],
            truncation=True,
            max_length=max_length,
            return_special_tokens_mask=True,
            return_token_type_ids=False,
        )

    if isinstance(dataset, IterableDataset):
        return dataset.map(encode, batched=True, remove_columns=["text"])
    return dataset.map(
        encode,
        batched=True,
        num_proc=num_proc,
        remove_columns=dataset.column_names,
        desc="tokenize",
    )
