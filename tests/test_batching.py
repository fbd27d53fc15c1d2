"""Length-grouped batches: every index once, similar lengths together, reproducible per epoch."""

from __future__ import annotations

import random

from electra_rtd.data.batching import LengthGroupedSampler


def lengths(n: int = 1000) -> list[int]:
    rng = random.Random(0)
    return [rng.randint(5, 120) for _ in range(n)]


def test_every_index_once_per_epoch() -> None:
    sampler = LengthGroupedSampler(lengths(), batch_size=16, seed=1)
    assert sorted(sampler) == list(range(1000))


def test_batches_waste_less_padding_than_random_ones() -> None:
    values = lengths()
    order = list(LengthGroupedSampler(values, batch_size=16, seed=1))

    def padding(indices: list[int]) -> int:
        waste = 0
        for start in range(0, len(indices), 16):
            batch = [values[i] for i in indices[start : start + 16]]
            waste += max(batch) * len(batch) - sum(batch)
        return waste

    shuffled = list(range(1000))
    random.Random(1).shuffle(shuffled)
    assert padding(order) < 0.2 * padding(shuffled)


def test_order_depends_on_seed_and_epoch_only() -> None:
    a, b = LengthGroupedSampler(lengths(), 16, seed=1), LengthGroupedSampler(lengths(), 16, seed=1)
    assert list(a) == list(b)
    b.set_epoch(1)
    assert list(a) != list(b)
    a.set_epoch(1)
    assert list(a) == list(b)
