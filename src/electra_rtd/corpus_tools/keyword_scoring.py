"""Which keyword candidates characterise a corpus: frequent in it, rare in ordinary Korean.

A class-based TF-IDF in the spirit of c-TF-IDF. A candidate's frequency is taken per cluster (the
share of the cluster's messages that contain it) and averaged over clusters, so every cluster
weighs the same: a spam sent ten thousand times is one cluster, and its wording cannot crowd out
the terms that many different campaigns share; a term also counts in full only where it is
characteristic of its cluster, present in all of its copies rather than in a few. Plain c-TF-IDF's
IDF, ``log(1 + A / f_t)``, hardly separates a term that is common in ordinary text from one that
is not when the background is a single class, so it is replaced by the log ratio to the term's
rate in the background::

    rate(t)  = mean over clusters c of  df(t, c) / n_c
    score(t) = rate(t) * log(rate(t) / background_rate(t))

which is t's contribution to the KL divergence of corpus from background: high for terms that are
frequent in the corpus and rare in ordinary text, negative for terms ordinary text uses more.
Without cluster ids every message is its own cluster and the rate is the plain document frequency.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

from electra_rtd.corpus_tools.keyword_candidates import MessageNouns, candidate_keys

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TermCounts:
    """In how many messages each candidate occurs: the background side of the score."""

    document_frequency: Mapping[str, int]
    n_documents: int

    def __post_init__(self) -> None:
        if self.n_documents < 1:
            raise ValueError("term counts need at least one message")

    def rate(self, term: str, smoothing: float) -> float:
        """Share of messages containing `term`, with `smoothing` pseudo-messages that contain it."""
        return (self.document_frequency.get(term, 0) + smoothing) / (self.n_documents + smoothing)


@dataclass(frozen=True)
class ScoredTerm:
    """A candidate with its score and how many messages of corpus and background contain it."""

    keyword: str
    score: float
    count: int
    background_count: int


def count_terms(nouns: Iterable[MessageNouns], max_tokens: int, min_chars: int) -> TermCounts:
    """Document frequency of every candidate over the messages."""
    frequency: Counter[str] = Counter()
    n_documents = 0
    for message in nouns:
        frequency.update(candidate_keys(message, max_tokens, min_chars))
        n_documents += 1
    return TermCounts(frequency, n_documents)


def score_terms(
    nouns: Sequence[MessageNouns],
    background: TermCounts,
    cluster_ids: Sequence[int] | None = None,
    *,
    max_tokens: int,
    min_chars: int,
    min_count: int,
    smoothing: float,
) -> list[ScoredTerm]:
    """Candidates found in at least `min_count` messages with a positive score, best first."""
    if smoothing <= 0:
        raise ValueError(f"smoothing must be positive, got {smoothing}")
    check_cluster_ids(cluster_ids, len(nouns))
    corpus = count_terms(nouns, max_tokens, min_chars)
    frequent = {term for term, count in corpus.document_frequency.items() if count >= min_count}
    if cluster_ids is None:
        rates = {term: corpus.document_frequency[term] / corpus.n_documents for term in frequent}
    else:
        rates = _mean_cluster_rates(nouns, cluster_ids, frequent, max_tokens, min_chars)
    ranked = []
    for term, rate in rates.items():
        score = rate * math.log(rate / background.rate(term, smoothing))
        if score > 0:
            count = corpus.document_frequency[term]
            ranked.append(
                ScoredTerm(term, score, count, background.document_frequency.get(term, 0))
            )
    ranked.sort(key=lambda scored: (-scored.score, scored.keyword))
    logger.info(
        "%d candidates, %d in at least %d messages, %d more frequent than in the background",
        len(corpus.document_frequency),
        len(frequent),
        min_count,
        len(ranked),
    )
    return ranked


def check_cluster_ids(cluster_ids: Sequence[int] | None, n_messages: int) -> None:
    """One cluster id per message, or none at all."""
    if cluster_ids is not None and len(cluster_ids) != n_messages:
        raise ValueError(
            f"cluster_ids has {len(cluster_ids)} entries for {n_messages} messages; "
            "give one cluster id per message"
        )


def _mean_cluster_rates(
    nouns: Sequence[MessageNouns],
    cluster_ids: Sequence[int],
    terms: set[str],
    max_tokens: int,
    min_chars: int,
) -> dict[str, float]:
    """Each term's share of messages per cluster, averaged with every cluster weighing the same."""
    shares = dict.fromkeys(terms, 0.0)
    n_clusters = 0
    for members in _clusters(cluster_ids):
        counts = count_terms((nouns[index] for index in members), max_tokens, min_chars)
        for term, count in counts.document_frequency.items():
            if term in shares:
                shares[term] += count / counts.n_documents
        n_clusters += 1
    return {term: share / n_clusters for term, share in shares.items()}


def _clusters(cluster_ids: Sequence[int]) -> Iterator[list[int]]:
    """Message indices of each cluster, one cluster at a time."""
    order = sorted(range(len(cluster_ids)), key=cluster_ids.__getitem__)
    for _, members in groupby(order, key=cluster_ids.__getitem__):
        yield list(members)
