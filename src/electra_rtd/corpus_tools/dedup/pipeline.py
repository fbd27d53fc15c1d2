"""Run the selected de-duplication methods over a stream of messages, keeping every row.

Work is done once per distinct text at each level: a raw text seen before reuses its keys, an
exact key seen before is neither re-hashed nor re-embedded, and a template seen before is not
re-hashed. Per row only two small integers are stored, so a million rows stream through in
bounded memory (plus the distinct keys' digests and the templates).
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from electra_rtd.corpus_tools.dedup.clusters import DedupResult, merge_labels
from electra_rtd.corpus_tools.dedup.config import COMBINED, DedupConfig, SemanticConfig
from electra_rtd.corpus_tools.dedup.keying import KeyedBatch, keyed_batches
from electra_rtd.corpus_tools.dedup.lexical import MinHashLinker
from electra_rtd.data.corpus import corpus_parts, iter_records

if TYPE_CHECKING:
    from electra_rtd.corpus_tools.dedup.semantic import SentenceEncoder

logger = logging.getLogger(__name__)

_PROGRESS_EVERY = 100_000


def deduplicate(
    texts: Iterable[str], config: DedupConfig | None = None, encoder: SentenceEncoder | None = None
) -> DedupResult:
    """Cluster `texts` under each of `config.methods`, plus their combination.

    The semantic method embeds with `encoder`, or loads `config.semantic.model` when none is
    given; that happens before the first message is read, so a bad folder fails at once.
    """
    config = config or DedupConfig()
    if "semantic" in config.methods and encoder is None:
        encoder = _load_encoder(config.semantic)
    state = _Deduplicator(config)
    for batch in keyed_batches(state.distinct_texts(texts), config):
        state.absorb(batch)
    return state.result(encoder)


def deduplicate_corpus(
    path: str | Path,
    config: DedupConfig | None = None,
    text_column: str = "text",
    encoder: SentenceEncoder | None = None,
) -> DedupResult:
    """`deduplicate` a corpus file or folder; rows are the file's rows, blank messages included.

    A malformed file stops with `path:line: what is wrong` (see `electra_rtd.data.corpus`).
    """
    records = iter_records(corpus_parts(path), text_column, keep_blank=True)
    return deduplicate((record["text"] for record in records), config, encoder)


def _digest(text: str) -> bytes:
    """16 bytes stand in for a distinct text: a million keys then fit in about 100 MB."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _load_encoder(settings: SemanticConfig) -> SentenceEncoder:
    # torch and faiss load only when the semantic method runs (seconds of start-up saved).
    from electra_rtd.corpus_tools.dedup.semantic import SentenceEncoder

    if not settings.model:
        raise ValueError(
            "the semantic method needs an encoder: set semantic.model to an encoder folder "
            "(e.g. a run's export/discriminator) or pass encoder="
        )
    return SentenceEncoder.from_pretrained(
        settings.model, settings.batch_size, settings.max_length, settings.device
    )


def _spacing_free(template: str) -> str:
    """Spam varies its spacing ("전 문가", "산지직송"), so templates are grouped without spaces."""
    return "".join(template.split())


class _Deduplicator:
    """The streaming state: ids of distinct raw texts, exact keys and templates, and their links.

    Ids are given in order of first appearance, so an id's first row grows with the id, and the
    smallest id of a linked set (the union-find root) holds the set's first row.
    """

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self.row_raw = array("q")
        self.raw_ids: dict[bytes, int] = {}
        self.raw_first_row = array("q")
        self.raw_exact = array("q")
        self.raw_template = array("q")
        self.exact_ids: dict[bytes, int] = {}
        self.exact_first_row = array("q")
        self.exact_keys: list[str] = []
        self.template_ids: dict[str, int] = {}
        self.template_texts: list[str] = []
        self.template_first_row = array("q")
        lexical, structural = config.lexical, config.structural
        self.lexical_links = MinHashLinker(lexical.threshold, lexical.num_perm, lexical.seed)
        self.template_links = MinHashLinker(
            structural.threshold, structural.num_perm, structural.seed
        )

    def distinct_texts(self, texts: Iterable[str]) -> Iterator[list[str]]:
        """Batches of texts not seen before; every row is recorded on the way."""
        batch: list[str] = []
        for row, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"row {row}: expected a message string, got {type(text).__name__}")
            digest = _digest(text)
            raw = self.raw_ids.setdefault(digest, len(self.raw_ids))
            if raw == len(self.raw_first_row):
                self.raw_first_row.append(row)
                batch.append(text)
                if len(batch) == self.config.batch_size:
                    yield batch
                    batch = []
            self.row_raw.append(raw)
            if (row + 1) % _PROGRESS_EVERY == 0:
                logger.info("read %d rows, %d distinct texts", row + 1, len(self.raw_ids))
        if batch:
            yield batch

    def absorb(self, batch: KeyedBatch) -> None:
        """Take in the keys of the next distinct raw texts, in the order they were read."""
        methods = self.config.methods
        for position, key in enumerate(batch.exact_keys):
            first_row = self.raw_first_row[len(self.raw_exact)]
            exact = self.exact_ids.setdefault(_digest(key), len(self.exact_ids))
            if exact == len(self.exact_first_row):
                self.exact_first_row.append(first_row)
                if "lexical" in methods:
                    self.lexical_links.add(batch.signatures[position])
                if "semantic" in methods:
                    self.exact_keys.append(key)
            self.raw_exact.append(exact)
            if batch.templates is not None:
                text = batch.templates[position]
                template = self.template_ids.setdefault(_spacing_free(text), len(self.template_ids))
                if template == len(self.template_first_row):
                    self.template_first_row.append(first_row)
                    self.template_texts.append(text)
                    if batch.template_signatures is not None:
                        self.template_links.add(batch.template_signatures[position])
                self.raw_template.append(template)

    def result(self, encoder: SentenceEncoder | None) -> DedupResult:
        """Per-row labels of every method: the first row of the row's linked set."""
        logger.info(
            "%d rows: %d distinct texts, %d exact keys, %d templates",
            len(self.row_raw),
            len(self.raw_ids),
            len(self.exact_ids),
            len(self.template_ids),
        )
        row_raw = np.asarray(self.row_raw, dtype=np.int64)
        row_exact = np.asarray(self.raw_exact, dtype=np.int64)[row_raw]
        exact_first_row = np.asarray(self.exact_first_row, dtype=np.int64)
        labels: dict[str, np.ndarray] = {}
        for method in self.config.methods:
            if method == "exact":
                labels[method] = exact_first_row[row_exact]
            elif method == "lexical":
                labels[method] = exact_first_row[self.lexical_links.components.roots()][row_exact]
            elif method == "semantic":
                labels[method] = exact_first_row[self._semantic_roots(encoder)][row_exact]
            else:
                labels[method] = self._structural_labels(row_raw)
        labels[COMBINED] = merge_labels(labels)
        if "structural" not in self.config.methods:
            return DedupResult(labels)
        template_ids = np.asarray(self.raw_template, dtype=np.int64)[row_raw]
        return DedupResult(labels, tuple(self.template_texts), template_ids)

    def _structural_labels(self, row_raw: np.ndarray) -> np.ndarray:
        template_first_row = np.asarray(self.template_first_row, dtype=np.int64)
        if self.config.structural.minhash:
            template_first_row = template_first_row[self.template_links.components.roots()]
        return template_first_row[np.asarray(self.raw_template, dtype=np.int64)[row_raw]]

    def _semantic_roots(self, encoder: SentenceEncoder) -> np.ndarray:
        from electra_rtd.corpus_tools.dedup.semantic import semantic_components

        settings = self.config.semantic
        logger.info("embedding %d distinct messages", len(self.exact_keys))
        embeddings = encoder.encode(self.exact_keys)
        return semantic_components(embeddings, settings.threshold, settings.neighbours)
