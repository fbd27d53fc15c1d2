"""Which keyword candidates characterise a corpus: frequent in it, rare in ordinary text, and
concentrated in the clusters they occur in.

A class-based TF-IDF in the spirit of c-TF-IDF: each cluster of the corpus is a class, and a
candidate's weight in a class is its frequency there times a log ratio that measures how much rarer
it is elsewhere. Plain c-TF-IDF's IDF, ``log(1 + A / f_t)``, barely separates a term that is common
in ordinary text from one that is not when there are only two classes (corpus and background), so
the ratio is taken against a reference rate instead::

    score(t) = sum over clusters c of  (n_c / N) * tf(t, c) * log(tf(t, c) / ref(t, c))

with ``tf(t, c)`` the share of cluster c's messages that contain t, and ``ref(t, c)`` the larger of
its rate in the background and its rate in the rest of the corpus (shrunk towards the background
rate by `smoothing` pseudo-messages, so that a small rest does not swing it). Each cluster's term is
its contribution to the KL divergence of cluster from reference, hence the score is high for a term
frequent in its clusters that neither ordinary text nor the other clusters use much. Without
clusters the whole corpus is one class and ``ref`` is the background rate alone.
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
    corpus = count_terms(nouns, max_tokens, min_chars)
    frequent = {term for term, count in corpus.document_frequency.items() if count >= min_count}
    background_rate = {term: background.rate(term, smoothing) for term in frequent}
    scores = dict.fromkeys(frequent, 0.0)
    clusters = (
        [(corpus.n_documents, corpus.document_frequency)]
        if cluster_ids is None
        else _cluster_counts(nouns, cluster_ids, max_tokens, min_chars)
    )
    for cluster_size, cluster_counts in clusters:
        rest_size = corpus.n_documents - cluster_size
        for term, count in cluster_counts.items():
            if term not in frequent:
                continue
            rest_count = corpus.document_frequency[term] - count
            rest_rate = (rest_count + smoothing * background_rate[term]) / (rest_size + smoothing)
            reference = max(background_rate[term], rest_rate)
            scores[term] += count * math.log(count / cluster_size / reference)
    ranked = [
        ScoredTerm(
            term,
            score / corpus.n_documents,
            corpus.document_frequency[term],
            background.document_frequency.get(term, 0),
        )
        for term, score in scores.items()
        if score > 0
    ]
    ranked.sort(key=lambda scored: (-scored.score, scored.keyword))
    logger.info(
        "%d candidates, %d in at least %d messages, %d distinctive",
        len(corpus.document_frequency),
        len(frequent),
        min_count,
        len(ranked),
    )
    return ranked


def _cluster_counts(
    nouns: Sequence[MessageNouns], cluster_ids: Sequence[int], max_tokens: int, min_chars: int
) -> Iterator[tuple[int, Mapping[str, int]]]:
    """(size, document frequency of each candidate) per cluster, one cluster at a time."""
    if len(cluster_ids) != len(nouns):
        raise ValueError(
            f"cluster_ids has {len(cluster_ids)} entries for {len(nouns)} messages; "
            "give one cluster id per message"
        )
    order = sorted(range(len(nouns)), key=cluster_ids.__getitem__)
    for _, members in groupby(order, key=cluster_ids.__getitem__):
        counts = count_terms((nouns[index] for index in members), max_tokens, min_chars)
        yield counts.n_documents, counts.document_frequency
