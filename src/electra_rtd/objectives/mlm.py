"""BERT's masked language modelling, in the same trainer: the baseline RTD is compared against."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor
from transformers import ElectraForMaskedLM

from electra_rtd.objectives.masked_prediction import MaskedPrediction, masked_lm_loss
from electra_rtd.objectives.masking import mask_for_mlm


@dataclass
class MLMOutput:
    """Loss to optimise and detached counters to log."""

    loss: Tensor
    stats: dict[str, Tensor]


class MaskedLanguageModeling(MaskedPrediction):
    """Predict the selected tokens (80% [MASK], 10% random, 10% unchanged) of a masked LM."""

    def __init__(
        self,
        model: ElectraForMaskedLM,
        mask_token_id: int,
        vocab_size: int,
        mask_probability: float = 0.15,
        max_predictions: int | None = None,
        continuation: Tensor | None = None,
    ) -> None:
        super().__init__(mask_token_id, mask_probability, max_predictions, continuation)
        self.model = model
        self.vocab_size = vocab_size

    def forward(
        self,
        input_ids: Tensor,
        attention_mask: Tensor,
        special_tokens_mask: Tensor,
        rng: torch.Generator,
        **_: Tensor,
    ) -> MLMOutput:
        _, _, selected = self.select(input_ids, attention_mask, special_tokens_mask, rng)
        corrupted = mask_for_mlm(input_ids, selected, self.mask_token_id, self.vocab_size, rng)

        # Project onto the vocabulary only where a prediction is scored.
        hidden = self.model.electra(input_ids=corrupted, attention_mask=attention_mask)[0]
        logits = self.model.generator_lm_head(self.model.generator_predictions(hidden[selected]))
        targets = input_ids[selected]
        loss = masked_lm_loss(logits, targets)

        with torch.no_grad():
            stats = {
                "loss": loss.detach(),
                "mlm_loss": loss.detach(),
                "mlm_correct": (logits.argmax(-1) == targets).sum(),
                "selected": selected.sum(),
                "tokens": attention_mask.sum(),
            }
        return MLMOutput(loss, stats)
