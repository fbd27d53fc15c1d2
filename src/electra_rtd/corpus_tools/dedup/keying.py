"""The per-message work of de-duplication (normalising, masking, signatures), in worker processes.

This is where the time goes (normalisation and masking run dozens of regular expressions per
message), so it runs in `workers` processes on batches of distinct messages. At most two batches
per worker are in flight: a corpus larger than memory streams through instead of being queued
whole, as `Pool.imap` would do with its eager feeder thread.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing import Pool
from multiprocessing.pool import AsyncResult

import numpy as np

from electra_rtd.corpus_tools.dedup.config import DedupConfig
from electra_rtd.corpus_tools.dedup.minhash import signatures
from electra_rtd.text.keys import exact_key, message_template

_IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True)
class KeyedBatch:
    """Keys of a batch of messages, in order; a field is None when no selected method needs it."""

    exact_keys: list[str]
    templates: list[str] | None
    signatures: np.ndarray | None
    template_signatures: np.ndarray | None


def key_batch(texts: list[str], config: DedupConfig) -> KeyedBatch:
    """Exact keys always; templates and the signatures of keys or templates as methods need."""
    keys = [exact_key(text, config.normalise) for text in texts]
    templates = None
    template_signatures = None
    if "structural" in config.methods:
        templates = [message_template(key) for key in keys]
        if config.structural.minhash:
            settings = config.structural
            template_signatures = signatures(
                templates, settings.ngram, settings.num_perm, settings.seed
            )
    key_signatures = None
    if "lexical" in config.methods:
        settings = config.lexical
        key_signatures = signatures(keys, settings.ngram, settings.num_perm, settings.seed)
    return KeyedBatch(keys, templates, key_signatures, template_signatures)


def keyed_batches(batches: Iterable[list[str]], config: DedupConfig) -> Iterator[KeyedBatch]:
    """`key_batch` of every batch, in order, in `config.workers` processes."""
    if config.workers == 1:
        for batch in batches:
            yield key_batch(batch, config)
        return
    with Pool(config.workers) as pool:
        pending: deque[AsyncResult[KeyedBatch]] = deque()
        for batch in batches:
            pending.append(pool.apply_async(key_batch, (batch, config)))
            if len(pending) >= _IN_FLIGHT_PER_WORKER * config.workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
