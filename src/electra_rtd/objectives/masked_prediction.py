"""What RTD and MLM share: the positions a step predicts, and the masked-LM loss on them.

Both objectives draw the same number of positions per message the same way (``select_positions``),
so equal-compute comparisons differ only in what happens to those positions.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from electra_rtd.objectives.masking import select_positions


class MaskedPrediction(nn.Module):
    """An objective that predicts a sample of each message's tokens."""

    def __init__(
        self,
        mask_token_id: int,
        mask_probability: float,
        max_predictions: int | None,
        continuation: Tensor | None,
    ) -> None:
        super().__init__()
        self.mask_token_id = mask_token_id
        self.mask_probability = mask_probability
        self.max_predictions = max_predictions
        # Whole-word masking's table of ``##`` pieces; moves to the device with the objective.
        self.register_buffer("continuation", continuation, persistent=False)

    def select(
        self,
        input_ids: Tensor,
        attention_mask: Tensor,
        special_tokens_mask: Tensor,
        rng: torch.Generator,
    ) -> tuple[Tensor, Tensor, Tensor]:
        """The real (non-padding) tokens, those that may be masked, and those selected."""
        real = attention_mask.bool()
        maskable = real & ~special_tokens_mask.bool()
        selected = select_positions(
            input_ids,
            maskable,
            real,
            self.mask_probability,
            rng,
            self.max_predictions,
            self.continuation,
        )
        return real, maskable, selected


def masked_lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy over the selected positions (in float32 under mixed precision)."""
    return F.cross_entropy(logits.float(), targets, reduction="sum") / max(targets.numel(), 1)
