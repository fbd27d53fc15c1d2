"""MinHash signatures of character n-grams, computed with numpy for a batch of messages at once.

datasketch's `MinHash.update` hashes each n-gram with SHA-1 in Python (about 1,500 messages a
second); here the n-grams of a whole batch are hashed and permuted as arrays. The values follow
datasketch's "affine32" scheme with its own permutations (MurmurHash3 finaliser, then a*h+b over
32 bits), so a signature is a valid `LeanMinHash` for datasketch's `MinHashLSH`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from datasketch import LeanMinHash, MinHash

SCHEME = "affine32"
# Code points are below 2**21, so the polynomial hash of up to three characters is exact.
_BASE = np.uint64(1 << 21)
# Hashes permuted per numpy step: bounds the (num_perm x hashes) matrix to a few tens of MB.
_STEP = 1 << 16


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, the pre-mix datasketch applies before its permutations."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def _fmix64(values: np.ndarray) -> np.ndarray:
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


def ngram_hashes(text: str, ngram: int) -> np.ndarray:
    """32-bit hashes of the character n-grams of `text` with whitespace removed.

    Spam varies its spacing ("전 문가", "전문가"), so spaces are not part of an n-gram. A text
    shorter than `ngram` is one n-gram (the empty text included), so every text has a signature.
    """
    compact = "".join(text.split())
    codes = np.frombuffer(compact.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = min(ngram, codes.size)
    count = codes.size - width + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        hashes = hashes * _BASE + codes[offset : offset + count]
    return (_fmix64(hashes) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


@cache
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return a[:, None], b[:, None]


def signatures(texts: Sequence[str], ngram: int, num_perm: int, seed: int) -> np.ndarray:
    """One MinHash signature per text: an array of shape (len(texts), num_perm), uint32."""
    a, b = _permutations(num_perm, seed)
    result = np.empty((len(texts), num_perm), dtype=np.uint32)
    start = 0
    while start < len(texts):
        hashes: list[np.ndarray] = []
        size = 0
        end = start
        while end < len(texts) and (size < _STEP or end == start):
            hashes.append(ngram_hashes(texts[end], ngram))
            size += hashes[-1].size
            end += 1
        mixed = _fmix32(np.concatenate(hashes))
        offsets = np.cumsum([0] + [h.size for h in hashes[:-1]])
        permuted = a * mixed[None, :] + b
        result[start:end] = np.minimum.reduceat(permuted, offsets, axis=1).T
        start = end
    return result


def sketch(signature: np.ndarray, seed: int) -> LeanMinHash:
    """The signature as the datasketch object `MinHashLSH` indexes."""
    return LeanMinHash(seed=seed, hashvalues=signature, scheme=SCHEME)
