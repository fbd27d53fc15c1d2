"""Clusters of rows: union-find for linking, and the result every method and writer shares.

A cluster's id is the row index of its first member, which is also its representative: ids are
stable for a given input order and mean the same thing under every method, so clusters of
different methods can be merged by linking each row to its cluster id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


class UnionFind:
    """Disjoint sets over 0..n-1, growing one element at a time; a set's root is its smallest id.

    Keeping the smallest id as the root makes the root the member seen first, which is what a
    cluster id needs; path halving keeps the trees shallow.
    """

    def __init__(self, size: int = 0) -> None:
        self._parent = list(range(size))

    def __len__(self) -> int:
        return len(self._parent)

    def add(self) -> int:
        self._parent.append(len(self._parent))
        return len(self._parent) - 1

    def find(self, item: int) -> int:
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, first: int, second: int) -> None:
        """Merge the sets of both items under the smaller of their roots."""
        first, second = self.find(first), self.find(second)
        if first > second:
            first, second = second, first
        self._parent[second] = first

    def roots(self) -> np.ndarray:
        """The root of every element, as an array indexed by element."""
        return np.fromiter((self.find(item) for item in range(len(self))), np.int64, len(self))


@dataclass(frozen=True)
class Cluster:
    """Rows one method considers copies of each other; `id` is the first member's row."""

    id: int
    members: np.ndarray

    @property
    def size(self) -> int:
        return int(self.members.size)

    @property
    def representative(self) -> int:
        return self.id


@dataclass(frozen=True)
class DuplicateStats:
    """How much one method de-duplicates: `duplicate_share` is the share of rows not kept."""

    rows: int
    clusters: int
    largest: int

    @property
    def duplicates(self) -> int:
        return self.rows - self.clusters

    @property
    def duplicate_share(self) -> float:
        return self.duplicates / self.rows if self.rows else 0.0


@dataclass(frozen=True)
class DedupResult:
    """Every input row's cluster id under each method, plus the templates when computed.

    `labels[method][row]` is the cluster id of `row`; the "combined" labels merge the clusters
    of all methods. `template_ids[row]` indexes `templates`, the distinct masked messages.
    """

    labels: Mapping[str, np.ndarray]
    templates: tuple[str, ...] | None = None
    template_ids: np.ndarray | None = None

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.labels)

    @property
    def num_rows(self) -> int:
        return int(next(iter(self.labels.values())).size)

    def template(self, row: int) -> str:
        """The masked message of a row: safe to show, since personal data is masked."""
        if self.templates is None or self.template_ids is None:
            raise ValueError("templates were not computed: include 'structural' in the methods")
        return self.templates[self.template_ids[row]]

    def clusters(self, method: str) -> Iterator[Cluster]:
        """Every cluster of `method`, singletons included, in order of their first row."""
        labels = self._labels(method)
        order = np.argsort(labels, kind="stable")
        starts = np.flatnonzero(np.diff(labels[order], prepend=-1))
        for members in np.split(order, starts[1:]) if labels.size else ():
            yield Cluster(int(members[0]), members)

    def is_representative(self, method: str) -> np.ndarray:
        """Per row, whether de-duplication by `method` keeps it (it is its cluster's first row)."""
        labels = self._labels(method)
        return labels == np.arange(labels.size)

    def representatives(self, method: str) -> np.ndarray:
        """The rows kept after de-duplication by `method`, in input order."""
        return np.flatnonzero(self.is_representative(method))

    def stats(self, method: str) -> DuplicateStats:
        labels = self._labels(method)
        sizes = np.bincount(labels, minlength=1)
        return DuplicateStats(
            rows=int(labels.size), clusters=int(np.count_nonzero(sizes)), largest=int(sizes.max())
        )

    def _labels(self, method: str) -> np.ndarray:
        if method not in self.labels:
            raise KeyError(f"no clusters for method {method!r}; this result has {self.methods}")
        return self.labels[method]


def first_row_labels(components: np.ndarray) -> np.ndarray:
    """Replace each row's component number by the row index of its component's first row."""
    first = np.full(int(components.max(initial=-1)) + 1, components.size, dtype=np.int64)
    np.minimum.at(first, components, np.arange(components.size))
    return first[components]


def merge_labels(labels: Mapping[str, np.ndarray]) -> np.ndarray:
    """Rows linked by any method end in one cluster (connected components of row-to-id links)."""
    rows = next(iter(labels.values())).size
    sources = np.concatenate([np.arange(rows)] * len(labels))
    targets = np.concatenate(list(labels.values()))
    graph = coo_matrix((np.ones(sources.size, dtype=np.int8), (sources, targets)), (rows, rows))
    _, components = connected_components(graph, directed=False)
    return first_row_labels(components)
