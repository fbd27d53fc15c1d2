"""Pretraining compute: the FLOPs of an RTD and an MLM update, worked out by hand for a small
config, and the MLM steps that spend RTD's budget."""

from __future__ import annotations

import pytest

from electra_rtd.objectives.compute import (
    equal_compute_steps,
    masked_positions,
    update_flops,
)

ARCHITECTURE = {
    "embedding_size": 32,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 128,
    "max_position_embeddings": 128,
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
}
MODEL = {"name": "tiny", "architecture": ARCHITECTURE, "generator_fraction": 0.25}
RTD = {"name": "rtd", "mask_probability": 0.15, "max_predictions": None}
MLM = {"name": "mlm", "mask_probability": 0.15, "max_predictions": None}
# Vocabulary 100, sequences of 10 tokens, 4 per update: round(0.15 x 10) = 2 masked positions.
VOCAB, SEQ, SEQUENCES = 100, 10.0, 4

# Discriminator (h 32, FFN 128, 2 layers), per token: 2 x [2 (4 * 32² + 2 * 32 * 128) + 4 * 10
# * 32] = 51,712; over 10 tokens 517,120; its head 2 * 10 * (32² + 32) = 21,120.
DISCRIMINATOR = 3 * SEQUENCES * (517_120 + 21_120)
# Generator (1/4: h 8, FFN 32, one head, embedding 32 projected to 8), per token: 2 x [2 (4 * 8²
# + 2 * 8 * 32) + 4 * 10 * 8] + 2 * 32 * 8 = 4,224; over 10 tokens 42,240; its masked-LM head
# at 2 positions 2 * 2 * (8 * 32 + 32 * 100) = 13,824.
GENERATOR = 3 * SEQUENCES * (42_240 + 13_824)
# MLM: the discriminator's body, and the masked-LM head 2 * 2 * (32 * 32 + 32 * 100) = 16,896.
MASKED_LM = 3 * SEQUENCES * (517_120 + 16_896)


def test_flops_of_an_rtd_and_an_mlm_update_by_hand() -> None:
    assert masked_positions(0.15, None, SEQ, 128) == 2
    rtd = update_flops(RTD, MODEL, VOCAB, SEQ, 128, SEQUENCES)
    assert rtd == {
        "generator": pytest.approx(GENERATOR),
        "discriminator": pytest.approx(DISCRIMINATOR),
    }
    assert update_flops(MLM, MODEL, VOCAB, SEQ, 128, SEQUENCES) == {"mlm": pytest.approx(MASKED_LM)}


def test_mlm_gets_the_updates_that_spend_rtds_budget() -> None:
    budget = 100 * (GENERATOR + DISCRIMINATOR)  # 713,164,800 FLOPs
    assert equal_compute_steps(budget, MASKED_LM) == 111  # 111.29 MLM updates
    assert equal_compute_steps(budget, GENERATOR + DISCRIMINATOR) == 100
    with pytest.raises(ValueError, match="must be > 0"):
        equal_compute_steps(budget, 0)


@pytest.mark.parametrize(
    ("probability", "cap", "seq_len", "expected"),
    [(0.15, None, 3.0, 1.0), (0.15, 5, 100.0, 5.0), (0.15, None, 1000.0, 19.0)],
)
def test_masked_positions_follow_the_objectives_count(probability, cap, seq_len, expected) -> None:
    """At least one, at most max_predictions (by default int((p + 0.005) * 128) = 19)."""
    assert masked_positions(probability, cap, seq_len, 128) == expected


def test_a_checkpoint_without_an_architecture_is_refused() -> None:
    with pytest.raises(ValueError, match="has no architecture"):
        update_flops(RTD, {"name": "koelectra", "architecture": None}, VOCAB, SEQ, 128, 1)
