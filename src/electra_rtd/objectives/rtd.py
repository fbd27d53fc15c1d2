"""ELECTRA's replaced-token detection: a generator fills masked slots, a discriminator spots them.

One ``nn.Module`` holds both models so that DDP, mixed precision and checkpointing treat the pair
as a single model, and so that a reader can follow the whole objective in ``forward``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor
from transformers import ElectraForMaskedLM, ElectraForPreTraining

from electra_rtd.objectives.masked_prediction import MaskedPrediction, masked_lm_loss
from electra_rtd.objectives.masking import gumbel_sample, mask_for_rtd


@dataclass
class RTDOutput:
    """Loss to optimise, detached counters to log, and per-token outputs for evaluation."""

    loss: Tensor
    stats: dict[str, Tensor]
    disc_logits: Tensor
    replaced: Tensor
    scored: Tensor


class ReplacedTokenDetection(MaskedPrediction):
    """Generator (masked LM) + discriminator trained jointly, as in Clark et al. (2020)."""

    def __init__(
        self,
        generator: ElectraForMaskedLM,
        discriminator: ElectraForPreTraining,
        mask_token_id: int,
        mask_probability: float = 0.15,
        max_predictions: int | None = None,
        mask_fraction: float = 0.85,
        generator_weight: float = 1.0,
        discriminator_weight: float = 50.0,
        temperature: float = 1.0,
        continuation: Tensor | None = None,
        generator_projection: str = "masked",
    ) -> None:
        super().__init__(mask_token_id, mask_probability, max_predictions, continuation)
        if generator_projection not in ("masked", "all"):
            raise ValueError(
                f"generator_projection must be 'masked' or 'all', got {generator_projection!r}"
            )
        self.generator = generator
        self.discriminator = discriminator
        self.mask_fraction = mask_fraction
        self.generator_weight = generator_weight
        self.discriminator_weight = discriminator_weight
        self.temperature = temperature
        self.generator_projection = generator_projection

    def generator_logits(
        self, input_ids: Tensor, attention_mask: Tensor, selected: Tensor
    ) -> Tensor:
        """Vocabulary logits at the selected positions only, shape (n_selected, vocab).

        The projection onto the vocabulary is the generator's most expensive layer; computing it
        for the ~15% selected positions instead of every position is what the reference code does.
        """
        if self.generator_projection == "all":
            return self.generator(input_ids=input_ids, attention_mask=attention_mask).logits[
                selected
            ]
        hidden = self.generator.electra(input_ids=input_ids, attention_mask=attention_mask)[0]
        head_input = self.generator.generator_predictions(hidden[selected])
        return self.generator.generator_lm_head(head_input)

    def forward(
        self,
        input_ids: Tensor,
        attention_mask: Tensor,
        special_tokens_mask: Tensor,
        rng: torch.Generator,
        **_: Tensor,
    ) -> RTDOutput:
        real, maskable, selected = self.select(input_ids, attention_mask, special_tokens_mask, rng)
        generator_input = mask_for_rtd(
            input_ids, selected, self.mask_token_id, self.mask_fraction, rng
        )

        # Generator: masked-LM loss on the selected positions only.
        logits = self.generator_logits(generator_input, attention_mask, selected)
        targets = input_ids[selected]
        generator_loss = masked_lm_loss(logits, targets)

        # Replacements sampled from the generator, without gradient; a sample equal to the
        # original token counts as original.
        with torch.no_grad():
            sampled = gumbel_sample(logits.detach(), rng, self.temperature)
            discriminator_input = input_ids.clone()
            discriminator_input[selected] = sampled
            replaced = (discriminator_input != input_ids) & real

        # Discriminator: binary cross-entropy over every real (non-padding) token.
        disc_logits = self.discriminator(
            input_ids=discriminator_input, attention_mask=attention_mask
        ).logits
        discriminator_loss = F.binary_cross_entropy_with_logits(
            disc_logits.float()[real], replaced[real].float()
        )
        loss = (
            self.generator_weight * generator_loss + self.discriminator_weight * discriminator_loss
        )

        with torch.no_grad():
            predicted = (disc_logits > 0) & real
            stats = {
                "loss": loss.detach(),
                "generator_loss": generator_loss.detach(),
                "discriminator_loss": discriminator_loss.detach(),
                "generator_correct": (logits.argmax(-1) == targets).sum(),
                "generator_sampled_correct": (sampled == targets).sum(),
                "selected": selected.sum(),
                "tokens": real.sum(),
                "discriminator_correct": ((predicted == replaced) & real).sum(),
                "replaced": replaced.sum(),
                "predicted_replaced": predicted.sum(),
                "true_positive": (predicted & replaced).sum(),
            }
        return RTDOutput(loss, stats, disc_logits.detach(), replaced, maskable)
