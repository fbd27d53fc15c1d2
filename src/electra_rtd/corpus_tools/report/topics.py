"""Topics: families of copies of one message, grouped by the keywords they share, ranked by size.

A family is what de-duplication links: copies that differ in form, variable data or wording
(its exact, lexical, structural and, with an encoder, semantic clusters merged). Families are too
fine for a report: one coin-spam campaign arrives in hundreds of templates ("b.t.c 단타 입장",
"BTC 단타 하루 평균", ...). So families are grouped once more, by what they are about: each
family's keyword set becomes a TF-IDF vector (IDF over families, so words every family uses weigh
little), the largest families are clustered by average linkage on cosine distance, and every
other family joins the nearest group if it is similar enough, or stays a topic of its own.
Families without any keyword cannot be compared and stay topics of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_distances
from sklearn.preprocessing import normalize

logger = logging.getLogger(__name__)

# Families compared against the groups at once when the small ones are assigned (memory bound).
_ASSIGN_CHUNK = 4096
# A topic's example comes from one of its largest families, the one most alike the others.
TYPICAL_CANDIDATES = 10


@dataclass(frozen=True)
class Families:
    """Rows grouped by their de-duplication cluster; families are numbered by first row."""

    row_family: np.ndarray
    representatives: np.ndarray
    sizes: np.ndarray

    @classmethod
    def from_labels(cls, labels: np.ndarray) -> Families:
        """From per-row cluster ids (any integers; equal ids are one family)."""
        ids, first_rows, row_family, sizes = np.unique(
            labels, return_index=True, return_inverse=True, return_counts=True
        )
        order = np.argsort(first_rows, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(ids.size)
        return cls(rank[row_family], first_rows[order], sizes[order])

    def __len__(self) -> int:
        return int(self.sizes.size)


@dataclass(frozen=True)
class TopicSettings:
    """`similarity`: the cosine of keyword vectors above which families share a topic."""

    similarity: float = 0.05
    # The largest families clustered exactly (quadratic in memory); the rest join their groups.
    max_seeds: int = 3000

    def __post_init__(self) -> None:
        if not 0.0 < self.similarity <= 1.0:
            raise ValueError(f"similarity is a cosine in (0, 1], got {self.similarity}")
        if self.max_seeds < 1:
            raise ValueError(f"max_seeds must be at least 1, got {self.max_seeds}")


@dataclass(frozen=True)
class Topics:
    """Every family's topic; topic 0 holds the most messages, ties go to the earlier family."""

    family_topic: np.ndarray
    sizes: np.ndarray
    # One L2-normalised row per topic: its families' keyword vectors weighted by their sizes.
    vectors: sparse.csr_matrix
    family_vectors: sparse.csr_matrix
    family_sizes: np.ndarray

    def __len__(self) -> int:
        return int(self.sizes.size)

    def families(self, topic: int) -> np.ndarray:
        """The families of `topic`, in order of their first row."""
        return np.flatnonzero(self.family_topic == topic)

    def typical_family(self, topic: int) -> int:
        """The family that stands for `topic`: of its largest, the one most alike the others.

        "Alike" is the cosine to every other family of the topic, weighted by their messages.
        The largest family alone can be an outlier that joined on one shared keyword.
        """
        members = self.families(topic)
        largest = members[np.argsort(-self.family_sizes[members], kind="stable")]
        candidates = largest[:TYPICAL_CANDIDATES]
        similarity = (self.family_vectors[candidates] @ self.family_vectors[members].T).toarray()
        weighted = similarity @ self.family_sizes[members]
        # Without each candidate's similarity to itself (1, or 0 for a family without keywords).
        has_keywords = self.family_vectors[candidates].getnnz(axis=1) > 0
        weighted -= has_keywords * self.family_sizes[candidates]
        return int(candidates[np.argmax(weighted)])


def group_families(
    family_keywords: Sequence[Collection[str]],
    family_sizes: np.ndarray,
    settings: TopicSettings | None = None,
) -> Topics:
    """Group families whose keyword sets are alike; `family_sizes` counts each family's rows."""
    settings = settings or TopicSettings()
    family_sizes = np.asarray(family_sizes, dtype=np.int64)
    if len(family_keywords) != family_sizes.size:
        raise ValueError(
            f"{len(family_keywords)} keyword sets for {family_sizes.size} families: they must match"
        )
    if family_sizes.size == 0:
        raise ValueError("there are no families to group into topics")
    vectors = _keyword_vectors(family_keywords)
    comparable = np.flatnonzero(vectors.getnnz(axis=1) > 0)
    by_size = comparable[np.argsort(-family_sizes[comparable], kind="stable")]
    seeds, rest = by_size[: settings.max_seeds], by_size[settings.max_seeds :]
    group = np.full(family_sizes.size, -1, dtype=np.int64)
    group[seeds] = _cluster(vectors[seeds], settings.similarity)
    if rest.size:
        centroids = _centroids(vectors, group, family_sizes)
        group[rest] = _nearest(vectors[rest], centroids, settings.similarity)
    loners = np.flatnonzero(group < 0)
    group[loners] = group.max(initial=-1) + 1 + np.arange(loners.size)
    topics = _ranked(group, family_sizes)
    logger.info(
        "%d families (%d with keywords) form %d topics",
        family_sizes.size,
        comparable.size,
        int(topics.max()) + 1,
    )
    sizes = np.bincount(topics, weights=family_sizes).astype(np.int64)
    return Topics(topics, sizes, _centroids(vectors, topics, family_sizes), vectors, family_sizes)


def map_coordinates(vectors: sparse.spmatrix) -> np.ndarray:
    """2-D positions of topic vectors: their first two principal components (zeros if fewer)."""
    dense = np.asarray(vectors.todense(), dtype=np.float64)
    coordinates = np.zeros((dense.shape[0], 2))
    if dense.shape[0] < 2:
        return coordinates
    centred = dense - dense.mean(axis=0)
    left, singular, right = np.linalg.svd(centred, full_matrices=False)
    components = min(2, singular.size)
    # An SVD's signs are arbitrary: fix them so the same corpus always gives the same picture.
    signs = np.sign(right[np.arange(components), np.abs(right[:components]).argmax(axis=1)])
    coordinates[:, :components] = left[:, :components] * singular[:components] * signs
    return coordinates


def _keyword_vectors(family_keywords: Sequence[Collection[str]]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows over each family's distinct keywords; empty rows stay zero."""
    documents = [sorted(set(keywords)) for keywords in family_keywords]
    if not any(documents):
        return sparse.csr_matrix((len(documents), 1), dtype=np.float32)
    vectorizer = TfidfVectorizer(analyzer=_as_is, dtype=np.float32)
    return vectorizer.fit_transform(documents).tocsr()


def _as_is(document: list[str]) -> list[str]:
    """The analyzer of a document that is already a list of terms (a named function pickles)."""
    return document


def _cluster(vectors: sparse.csr_matrix, similarity: float) -> np.ndarray:
    """Average-linkage groups of the rows, cut where groups are less alike than `similarity`."""
    if vectors.shape[0] < 2:
        return np.zeros(vectors.shape[0], dtype=np.int64)
    clustering = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=1.0 - similarity,
    )
    return clustering.fit_predict(cosine_distances(vectors)).astype(np.int64)


def _centroids(
    vectors: sparse.csr_matrix, group: np.ndarray, family_sizes: np.ndarray
) -> sparse.csr_matrix:
    """Per group, the size-weighted sum of its families' vectors, L2-normalised."""
    members = np.flatnonzero(group >= 0)
    count = int(group.max(initial=-1)) + 1
    membership = sparse.csr_matrix(
        (family_sizes[members].astype(np.float32), (group[members], members)),
        shape=(count, vectors.shape[0]),
    )
    return normalize(membership @ vectors).tocsr()


def _nearest(
    vectors: sparse.csr_matrix, centroids: sparse.csr_matrix, similarity: float
) -> np.ndarray:
    """The most similar centroid of every row, or -1 where none reaches `similarity`."""
    chosen = np.full(vectors.shape[0], -1, dtype=np.int64)
    for start in range(0, vectors.shape[0], _ASSIGN_CHUNK):
        scores = (vectors[start : start + _ASSIGN_CHUNK] @ centroids.T).toarray()
        best = scores.argmax(axis=1)
        close = scores[np.arange(best.size), best] >= similarity
        chosen[start : start + _ASSIGN_CHUNK][close] = best[close]
    return chosen


def _ranked(group: np.ndarray, family_sizes: np.ndarray) -> np.ndarray:
    """Renumber groups by total size, largest first; ties keep the group of the earlier family."""
    sizes = np.bincount(group, weights=family_sizes)
    first_family = np.full(sizes.size, group.size)
    np.minimum.at(first_family, group, np.arange(group.size))
    order = np.lexsort((first_family, -sizes))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[group]
