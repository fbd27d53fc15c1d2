"""Training batches: shuffled, and grouped by length so little compute goes to padding."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import torch
from datasets import Dataset, IterableDataset
from torch.utils.data import DataLoader, Sampler

from electra_rtd.schema import TrainerConfig


class LengthGroupedSampler(Sampler[int]):
    """Random order in which neighbouring indices have similar lengths.

    Each epoch the indices are shuffled, cut into mega-batches of ``group`` batches, sorted by
    length inside each mega-batch and cut into batches, and the batches are shuffled. The order
    depends only on (seed, epoch), so a resumed run sees the same batches as an uninterrupted one.
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int, group: int = 50) -> None:
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.seed = seed
        self.group = group
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self) -> Iterator[int]:
        rng = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
        order = torch.randperm(len(self.lengths), generator=rng).tolist()
        mega, size = self.batch_size * self.group, self.batch_size
        batches, leftovers = [], []
        for start in range(0, len(order), mega):
            chunk = sorted(order[start : start + mega], key=self.lengths.__getitem__, reverse=True)
            full = len(chunk) - len(chunk) % size
            batches += [chunk[i : i + size] for i in range(0, full, size)]
            leftovers += chunk[full:]
        for index in torch.randperm(len(batches), generator=rng).tolist():
            yield from batches[index]
        # Incomplete groups go last, so the loader's batch boundaries stay on the groups' edges.
        yield from sorted(leftovers, key=self.lengths.__getitem__, reverse=True)


def make_train_loader(
    dataset: Dataset | IterableDataset,
    trainer_cfg: TrainerConfig,
    collate: Callable[[list[dict]], dict[str, torch.Tensor]],
    seed: int,
    drop_last: bool = False,
) -> DataLoader:
    """The training DataLoader: length-grouped when ``trainer.group_by_length``, else shuffled.

    A streamed dataset is read in order (it shuffles itself in a buffer). The loader has its own
    seeded ``torch.Generator``: without one, every new iterator (each epoch, and the skipping
    iterator of a resumed run) draws its worker seed from the global RNG, which shifts every
    dropout mask after it and makes a resumed run differ from an uninterrupted one.
    """
    sampler = None
    streaming = isinstance(dataset, IterableDataset)
    if trainer_cfg.group_by_length and not streaming:
        lengths = [len(ids) for ids in dataset["input_ids"]]
        sampler = LengthGroupedSampler(lengths, trainer_cfg.batch_size, seed)
    return DataLoader(
        dataset,
        batch_size=trainer_cfg.batch_size,
        sampler=sampler,
        shuffle=sampler is None and not streaming,
        drop_last=drop_last,
        collate_fn=collate,
        num_workers=trainer_cfg.num_workers,
        pin_memory=torch.cuda.is_available(),
        generator=torch.Generator().manual_seed(seed),
    )
