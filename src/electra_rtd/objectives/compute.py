"""Training compute of one pretraining update, so RTD and MLM can be compared at equal compute.

Why: an RTD update trains a generator and a discriminator, an MLM update one encoder of the
discriminator's size, so equal steps give RTD more compute. The ELECTRA paper compares
objectives at equal pretraining FLOPs; `equal_compute_steps` gives the steps that spend a budget.

One formula, in floating-point operations (a multiply-add is 2):

* encoder forward, per token: ``2 (4 h² + 2 h f)`` per layer (query, key, value and output
  projections, the feed-forward) ``+ 4 s h`` per layer (attention scores over the ``s`` tokens of
  the sequence and their weighted sum) ``+ 2 e h`` once when the embedding size ``e`` differs
  from the hidden size ``h`` (ELECTRA's embedding projection);
* heads: the discriminator's ``2 (h² + h)`` per token; a masked-LM head (the generator's, MLM's)
  ``2 (h e + e V)`` per masked position only, as the objectives project onto the vocabulary of
  ``V`` tokens only there;
* a training update is 3 forward passes (the backward pass costs two), Kaplan et al. (2020)'s
  ``6 N`` per token; the generator's samples take no gradient but the generator trains on its
  own loss, so both models count 3 times.

Embedding lookups, layer norms, softmax, activations and the optimizer are left out: a few
percent, nearly the same for both objectives. Masked positions per sequence are the objectives'
``round(p s)``, at least 1, at most ``max_predictions``, taken at the mean sequence length.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transformers import ElectraConfig

from electra_rtd.models.electra import electra_config, generator_config
from electra_rtd.objectives.masking import reference_max_predictions

TRAINING_PASSES = 3  # forward + backward (twice the forward)


def encoder_flops(config: ElectraConfig, seq_len: float) -> float:
    """Forward FLOPs of the encoder body over one sequence of ``seq_len`` tokens."""
    h, f = config.hidden_size, config.intermediate_size
    per_layer = 2 * (4 * h * h + 2 * h * f) + 4 * seq_len * h
    per_token = config.num_hidden_layers * per_layer
    if config.embedding_size != h:
        per_token += 2 * config.embedding_size * h
    return per_token * seq_len


def masked_lm_head_flops(config: ElectraConfig, masked: float) -> float:
    """Forward FLOPs of a masked-LM head (dense to the embedding size, then the vocabulary) over
    ``masked`` positions."""
    h, e = config.hidden_size, config.embedding_size
    return 2 * masked * (h * e + e * config.vocab_size)


def discriminator_head_flops(config: ElectraConfig, seq_len: float) -> float:
    """Forward FLOPs of the replaced-token head (dense, then one logit) over a sequence."""
    h = config.hidden_size
    return 2 * seq_len * (h * h + h)


def masked_positions(
    probability: float, max_predictions: int | None, seq_len: float, max_length: int
) -> float:
    """Masked positions in a sequence of ``seq_len`` tokens, as the objectives count them."""
    cap = max_predictions or reference_max_predictions(probability, max_length)
    return max(1.0, min(float(cap), round(probability * seq_len)))


def update_flops(
    objective_cfg: Mapping[str, Any],
    model_cfg: Mapping[str, Any],
    vocab_size: int,
    seq_len: float,
    max_length: int,
    sequences: int,
) -> dict[str, float]:
    """Training FLOPs of one update over ``sequences`` sequences of ``seq_len`` tokens, by model:
    ``generator`` and ``discriminator`` for RTD, ``mlm`` for MLM."""
    if not model_cfg.get("architecture"):
        raise ValueError(
            f"model {model_cfg.get('name')!r} has no architecture to count the compute of "
            "(a checkpoint): equal-compute pretraining needs models trained from scratch"
        )
    discriminator = electra_config(vocab_size, 0, model_cfg["architecture"])
    masked = masked_positions(
        objective_cfg["mask_probability"], objective_cfg["max_predictions"], seq_len, max_length
    )
    scale = TRAINING_PASSES * sequences
    if objective_cfg["name"] == "rtd":
        generator = generator_config(discriminator, model_cfg["generator_fraction"])
        return {
            "generator": scale
            * (encoder_flops(generator, seq_len) + masked_lm_head_flops(generator, masked)),
            "discriminator": scale
            * (
                encoder_flops(discriminator, seq_len)
                + discriminator_head_flops(discriminator, seq_len)
            ),
        }
    if objective_cfg["name"] == "mlm":
        body = encoder_flops(discriminator, seq_len)
        return {"mlm": scale * (body + masked_lm_head_flops(discriminator, masked))}
    raise ValueError(f"unknown objective {objective_cfg['name']!r}: expected 'rtd' or 'mlm'")


def equal_compute_steps(budget: float, flops_per_update: float) -> int:
    """The number of updates (at least 1) whose compute comes closest to ``budget``."""
    if budget <= 0 or flops_per_update <= 0:
        raise ValueError(f"budget {budget} and FLOPs per update {flops_per_update} must be > 0")
    return max(1, round(budget / flops_per_update))
