"""Equal pretraining compute for a suite's objectives (``suite.equal_compute``).

Why: an RTD update costs more than an MLM update of the same discriminator (it also trains the
generator), so the ELECTRA paper compares objectives at equal compute, not equal steps. The
reference run (RTD) keeps its ``trainer.max_steps``; every other run gets the number of updates
that spends the same FLOPs, counted with `electra_rtd.objectives.compute` at the corpus's mean
sequence length under the shared tokenizer.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from omegaconf import DictConfig, OmegaConf
from transformers import PreTrainedTokenizerBase

from electra_rtd.objectives.compute import equal_compute_steps, update_flops

# Texts tokenized to measure the mean sequence length: enough for a stable mean.
LENGTH_SAMPLE = 2000


@dataclass(frozen=True)
class PretrainingBudget:
    """The updates and FLOPs of each pretraining run, equal in compute to ``reference``'s."""

    reference: str
    seq_len: float  # mean tokens per sequence ([CLS] and [SEP] included)
    flops: dict[str, dict[str, float]]  # run -> model -> training FLOPs per update
    steps: dict[str, int]

    def per_update(self, run: str) -> float:
        return sum(self.flops[run].values())

    def total(self, run: str) -> float:
        return self.per_update(run) * self.steps[run]

    def describe(self) -> str:
        """One line per run for the log and results.md."""
        runs = []
        for run, models in self.flops.items():
            parts = " + ".join(f"{model} {flops / 1e9:.3g}" for model, flops in models.items())
            runs.append(
                f"{run}: {self.steps[run]:,} updates × {self.per_update(run) / 1e9:.3g} GFLOP "
                f"({parts}) = {self.total(run) / 1e12:.4g} TFLOP"
            )
        return (
            f"{'; '.join(runs)} (6 × parameters × tokens plus attention, vocabulary projection on "
            f"masked positions only; mean {self.seq_len:.1f} tokens a sequence; the budget is "
            f"{self.reference}'s)"
        )


def mean_tokens(tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_length: int) -> float:
    """Mean tokens per text (special tokens included, truncated at ``max_length``) over at most
    `LENGTH_SAMPLE` texts."""
    sample = list(texts[:LENGTH_SAMPLE])
    if not sample:
        raise ValueError("no pretraining texts to measure the sequence length on")
    encoded = tokenizer(sample, truncation=True, max_length=max_length)["input_ids"]
    return statistics.fmean(len(ids) for ids in encoded)


def equal_compute(
    cfgs: Mapping[str, DictConfig], reference: str, vocab_size: int, seq_len: float
) -> PretrainingBudget:
    """``reference`` keeps its steps; the other runs get the updates that match its FLOPs."""
    if reference not in cfgs:
        raise ValueError(f"suite.equal_compute={reference!r} names no pretraining run {list(cfgs)}")
    flops = {}
    for name, cfg in cfgs.items():
        trainer = cfg.trainer
        flops[name] = update_flops(
            OmegaConf.to_container(cfg.objective, resolve=True),
            OmegaConf.to_container(cfg.model, resolve=True),
            vocab_size,
            seq_len,
            cfg.corpus.max_length,
            trainer.batch_size * trainer.gradient_accumulation_steps,
        )
    budget = sum(flops[reference].values()) * cfgs[reference].trainer.max_steps
    steps = {
        name: equal_compute_steps(budget, sum(models.values())) for name, models in flops.items()
    }
    steps[reference] = cfgs[reference].trainer.max_steps
    return PretrainingBudget(reference, seq_len, flops, steps)
