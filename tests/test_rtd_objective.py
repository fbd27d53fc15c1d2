"""The RTD and MLM objectives on a tiny model: shared embeddings, labels, learning."""

from __future__ import annotations

import torch
from omegaconf import OmegaConf

from electra_rtd.metrics.pretraining import summarize
from electra_rtd.objectives.build import build_objective

TINY = {
    "path": None,
    "generator_path": None,
    "generator_fraction": 0.5,
    "share_embeddings": True,
    "architecture": {
        "embedding_size": 32,
        "hidden_size": 32,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "intermediate_size": 64,
        "max_position_embeddings": 64,
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
    },
}
RTD = {
    "name": "rtd",
    "mask_probability": 0.3,
    "mask_fraction": 0.85,
    "whole_word_masking": False,
    "max_predictions": None,  # as conf/objective/rtd.yaml: the reference cap for max_length
    "generator_weight": 1.0,
    "discriminator_weight": 50.0,
    "temperature": 1.0,
    "generator_projection": "masked",
}
TEXTS = [
    "택배가 도착했습니다 비트코인 리딩방",
    "오늘 저녁 먹자 ㅋㅋ",
    "카드 승인 문의 주세요",
    "안녕하세요 대출 수익",
]


def make(small_tokenizer, **overrides):
    torch.manual_seed(0)
    cfg = OmegaConf.create({**RTD, **overrides})
    return build_objective(cfg, OmegaConf.create(TINY), small_tokenizer, max_length=64)


def encode(small_tokenizer):
    return dict(
        small_tokenizer(TEXTS, padding=True, return_special_tokens_mask=True, return_tensors="pt")
    )


def rng(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_generator_shares_the_discriminator_embeddings(small_tokenizer) -> None:
    objective = make(small_tokenizer)
    shared = objective.discriminator.electra.embeddings
    assert objective.generator.electra.embeddings is shared
    assert objective.generator.generator_lm_head.weight is shared.word_embeddings.weight
    assert objective.generator.config.hidden_size == 16  # half of 32


def test_labels_mark_exactly_the_changed_tokens(small_tokenizer) -> None:
    objective = make(small_tokenizer)
    batch = encode(small_tokenizer)
    out = objective(**batch, rng=rng(1))
    real = batch["attention_mask"].bool()
    assert not (out.replaced & ~real).any()
    assert not (out.replaced & batch["special_tokens_mask"].bool()).any()
    assert out.stats["replaced"] <= out.stats["selected"]
    assert out.stats["tokens"] == real.sum()


def test_sampled_token_accuracy_counts_the_samples_that_kept_the_original(small_tokenizer) -> None:
    """The reference's sampled_masked_lm_accuracy: a sample equal to the original is both a
    correct sample and not a replacement, so correct samples + replacements = selected."""
    objective = make(small_tokenizer)
    out = objective(**encode(small_tokenizer), rng=rng(4))
    stats = out.stats
    assert stats["generator_sampled_correct"] + stats["replaced"] == stats["selected"]
    summary = summarize({k: float(v) for k, v in stats.items()}, steps=1)
    expected = float(stats["generator_sampled_correct"]) / float(stats["selected"])
    assert summary["generator_sampled_accuracy"] == expected


def test_masked_only_projection_equals_the_full_one(small_tokenizer) -> None:
    """Projecting only masked positions is an optimisation: same loss and samples as the naive way."""
    fast = make(small_tokenizer)
    naive = make(small_tokenizer, generator_projection="all")
    naive.load_state_dict(fast.state_dict())
    batch = encode(small_tokenizer)
    a, b = fast(**batch, rng=rng(2)), naive(**batch, rng=rng(2))
    torch.testing.assert_close(a.loss, b.loss)
    assert torch.equal(a.replaced, b.replaced)


def overfit(objective, batch, steps: int = 150) -> tuple[dict, dict]:
    optimizer = torch.optim.AdamW(objective.parameters(), lr=3e-3)
    first = None
    for _ in range(steps):
        out = objective(**batch, rng=rng(3))  # the same masks every step: one batch to memorise
        optimizer.zero_grad()
        out.loss.backward()
        optimizer.step()
        first = first or {k: float(v) for k, v in out.stats.items()}
    return first, {k: float(v) for k, v in out.stats.items()}


def test_rtd_overfits_one_batch(small_tokenizer) -> None:
    first, last = overfit(make(small_tokenizer), encode(small_tokenizer))
    assert last["generator_loss"] < 0.3 * first["generator_loss"]
    assert last["discriminator_loss"] < 0.5 * first["discriminator_loss"]
    assert last["generator_correct"] == last["selected"]
    assert last["generator_sampled_correct"] > 0.5 * last["selected"]


def test_mlm_overfits_one_batch(small_tokenizer) -> None:
    objective = make(small_tokenizer, name="mlm")
    first, last = overfit(objective, encode(small_tokenizer))
    assert last["mlm_loss"] < 0.3 * first["mlm_loss"]
    assert last["mlm_correct"] == last["selected"]
