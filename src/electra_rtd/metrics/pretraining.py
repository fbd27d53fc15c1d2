"""Pretraining metrics: running counters for logging and the held-out RTD / MLM evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import torch
from accelerate import Accelerator
from sklearn.metrics import roc_auc_score
from torch import Tensor

# Per-step means (averaged over steps and processes); everything else is a count (summed).
MEAN_KEYS = ("loss", "generator_loss", "discriminator_loss", "mlm_loss")


def safe_div(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def summarize(sums: dict[str, float], steps: int) -> dict[str, float]:
    """Turn summed counters into the logged metrics (accuracies, precision, recall, rates)."""
    out = {key: sums[key] / steps for key in MEAN_KEYS if key in sums}
    if "generator_correct" in sums:
        out["generator_accuracy"] = safe_div(sums["generator_correct"], sums["selected"])
        # The reference's sampled_masked_lm_accuracy: how often the sampled replacement is the
        # original token (and so is not a replacement at all).
        out["generator_sampled_accuracy"] = safe_div(
            sums["generator_sampled_correct"], sums["selected"]
        )
        out["discriminator_accuracy"] = safe_div(sums["discriminator_correct"], sums["tokens"])
        out["discriminator_precision"] = safe_div(sums["true_positive"], sums["predicted_replaced"])
        out["discriminator_recall"] = safe_div(sums["true_positive"], sums["replaced"])
        out["replaced_rate"] = safe_div(sums["replaced"], sums["tokens"])
    if "mlm_correct" in sums:
        out["mlm_accuracy"] = safe_div(sums["mlm_correct"], sums["selected"])
    return out


def format_metrics(metrics: dict[str, float]) -> str:
    """One log line: ``name=value`` pairs with four significant digits."""
    return " ".join(f"{key}={value:.4g}" for key, value in metrics.items())


def metrics_block(metrics: dict[str, float]) -> str:
    """Final metrics one per line, names and values aligned, as HF Trainer's ``log_metrics``
    prints them (``  eval_loss       =     2.3456``); four significant digits, counts whole."""
    values = {
        key: f"{value:,}" if isinstance(value, int) else f"{value:.4g}"
        for key, value in metrics.items()
    }
    key_width = max(map(len, values), default=0)
    value_width = max(map(len, values.values()), default=0)
    return "\n".join(
        f"  {key:<{key_width}} = {value:>{value_width}}" for key, value in values.items()
    )


class StatsMeter:
    """Sums the step counters on device and syncs only when asked (at logging time)."""

    def __init__(self) -> None:
        self.sums: dict[str, Tensor] = {}
        self.steps = 0

    def update(self, stats: dict[str, Tensor]) -> None:
        for key, value in stats.items():
            value = value.detach().float()
            self.sums[key] = self.sums[key] + value if key in self.sums else value
        self.steps += 1

    def compute(self, accelerator: Accelerator) -> dict[str, float]:
        """Metrics over all processes since the last reset; resets the meter."""
        keys = sorted(self.sums)
        stacked = accelerator.reduce(torch.stack([self.sums[k] for k in keys]), reduction="sum")
        sums = dict(zip(keys, stacked.tolist(), strict=True))
        result = summarize(sums, self.steps * accelerator.num_processes)
        result["tokens"] = sums.get("tokens", 0.0)
        self.sums, self.steps = {}, 0
        return result


@torch.no_grad()
def evaluate_objective(
    objective: torch.nn.Module, batches: Iterable[dict[str, Tensor]], seed: int, device: Any
) -> dict[str, float]:
    """Held-out evaluation with fixed masks (seeded once), on one process.

    RTD: discriminator accuracy and ROC-AUC of its replaced-token scores over real non-special
    tokens (special tokens are never replaced and would flatter both numbers). MLM: masked-token
    accuracy and loss. Also the generator's argmax and sampled-token accuracy for RTD.

    ``eval_rtd_roc_auc`` is the exact ROC-AUC (scikit-learn) over those tokens. The reference's
    ``disc_auc`` is ``tf.metrics.auc``: 200 thresholds over every position, [CLS], [SEP] and
    padding (as score-0 negatives) included, so it reads somewhat higher on the same model.
    """
    was_training = objective.training
    objective.eval()
    rng = torch.Generator(device=device)
    rng.manual_seed(seed)
    meter_sums: dict[str, float] = {}
    scores, labels = [], []
    steps = 0
    for batch in batches:
        batch = {k: v.to(device) for k, v in batch.items()}
        out = objective(**batch, rng=rng)
        for key, value in out.stats.items():
            meter_sums[key] = meter_sums.get(key, 0.0) + float(value)
        steps += 1
        if hasattr(out, "disc_logits"):
            scores.append(out.disc_logits[out.scored].float().cpu().numpy())
            labels.append(out.replaced[out.scored].cpu().numpy())
    objective.train(was_training)
    metrics = {f"eval_{k}": v for k, v in summarize(meter_sums, max(steps, 1)).items()}
    if scores:
        y_score, y_true = np.concatenate(scores), np.concatenate(labels)
        metrics["eval_rtd_accuracy"] = float(((y_score > 0) == y_true).mean())
        metrics["eval_rtd_roc_auc"] = (
            float(roc_auc_score(y_true, y_score))
            if 0 < y_true.sum() < len(y_true)
            else float("nan")
        )
        metrics["eval_scored_tokens"] = int(len(y_true))
        metrics["eval_replaced_tokens"] = int(y_true.sum())
    if "eval_mlm_loss" in metrics:
        metrics["eval_mlm_perplexity"] = float(np.exp(metrics["eval_mlm_loss"]))
    return metrics
