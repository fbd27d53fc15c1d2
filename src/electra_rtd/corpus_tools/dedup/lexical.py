"""Near-duplicate linking over MinHash signatures: datasketch's LSH proposes, the signatures decide.

LSH candidates share one band of the signature, which also happens below the threshold; a
candidate is linked only when the share of equal signature values (the MinHash estimate of the
n-gram Jaccard similarity) reaches the threshold. Used on normalised messages (the lexical method)
and on templates (structural with `minhash`).
"""

from __future__ import annotations

import numpy as np
from datasketch import MinHashLSH

from electra_rtd.corpus_tools.dedup.clusters import UnionFind
from electra_rtd.corpus_tools.dedup.minhash import sketch


class MinHashLinker:
    """Items added one by one get ids 0, 1, ...; each is linked to every similar earlier item."""

    def __init__(self, threshold: float, num_perm: int, seed: int) -> None:
        self.threshold = threshold
        self.seed = seed
        self.components = UnionFind()
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._signatures = np.empty((1024, num_perm), dtype=np.uint32)

    def add(self, signature: np.ndarray) -> int:
        """Index one signature and link it to the similar ones already indexed; returns its id."""
        item = self.components.add()
        if item == len(self._signatures):
            self._signatures = np.concatenate([self._signatures, np.empty_like(self._signatures)])
        self._signatures[item] = signature
        minhash = sketch(signature, self.seed)
        candidates = np.fromiter(self._lsh.query(minhash), dtype=np.int64)
        if candidates.size:
            agreement = (self._signatures[candidates] == signature).mean(axis=1)
            similar = candidates[agreement >= self.threshold]
            for root in {self.components.find(int(other)) for other in similar}:
                self.components.union(item, root)
        self._lsh.insert(item, minhash)
        return item
