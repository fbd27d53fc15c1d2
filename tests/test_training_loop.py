"""The shared update loop: an epoch that ends inside an accumulation group, and warmup."""

from __future__ import annotations

import pytest
import torch
from accelerate import Accelerator
from omegaconf import OmegaConf
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from electra_rtd.training.checkpointing import Progress
from electra_rtd.training.loop import TrainingSetupError, optimizer_updates
from electra_rtd.training.optim import warmup_steps

INPUTS = torch.tensor([[1.0], [2.0], [-1.0], [0.5], [3.0]])
TARGETS = torch.tensor([[2.0], [1.0], [0.0], [4.0], [-9.0]])


class Output:
    def __init__(self, loss: torch.Tensor) -> None:
        self.loss = loss


def train(batches: int, total_steps: int, accumulation: int = 2) -> tuple[nn.Linear, int, int]:
    """Updates on the first ``batches`` examples (one per batch, in order); returns the model,
    how many times the schedule stepped and how many micro-batches were run."""
    accelerator = Accelerator(cpu=True, gradient_accumulation_steps=accumulation)
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    loader = DataLoader(TensorDataset(INPUTS[:batches], TARGETS[:batches]), batch_size=1)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    micro_batches = 0

    def forward(batch: list[torch.Tensor], position: tuple[int, int]) -> Output:
        nonlocal micro_batches
        micro_batches += 1
        inputs, targets = batch
        return Output(((model(inputs) - targets) ** 2).mean())

    updates = optimizer_updates(
        accelerator, model, optimizer, schedule, loader, Progress(), total_steps, None, forward
    )
    assert sum(1 for _ in updates) == total_steps
    return accelerator.unwrap_model(model), schedule.last_epoch, micro_batches


def test_a_short_group_at_the_end_of_an_epoch_is_dropped_not_counted() -> None:
    """Five batches with accumulation 2: two updates an epoch; the fifth batch's gradient (a
    half-size group divided by 2, whose outlier target would move the weight far) is dropped."""
    five, five_schedule, five_micro = train(batches=5, total_steps=4)
    four, four_schedule, four_micro = train(batches=4, total_steps=4)
    assert five_schedule == four_schedule == 4
    assert (five_micro, four_micro) == (9, 8)  # the fifth batch ran once, in epoch 1, then dropped
    assert torch.equal(five.weight, four.weight)


def test_every_update_is_the_mean_over_its_full_group() -> None:
    model, _, _ = train(batches=4, total_steps=2)
    weight = torch.zeros(())
    for group in ((0, 1), (2, 3)):
        gradient = sum(2 * (weight * INPUTS[i, 0] - TARGETS[i, 0]) * INPUTS[i, 0] for i in group)
        weight = weight - 0.1 * gradient / len(group)
    torch.testing.assert_close(model.weight.squeeze(), weight)


def test_an_epoch_shorter_than_one_group_is_an_error() -> None:
    with pytest.raises(TrainingSetupError, match="no complete group of 2"):
        train(batches=1, total_steps=1)


def test_warmup_steps_win_over_the_ratio() -> None:
    assert warmup_steps(OmegaConf.create({"warmup_ratio": 0.1, "warmup_steps": None}), 1000) == 100
    both = OmegaConf.create({"warmup_ratio": 0.1, "warmup_steps": 10_000})
    assert warmup_steps(both, 1000) == 10_000
