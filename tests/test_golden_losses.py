"""Golden losses, in the manner of torchtitan's loss-curve checks: a fixed tiny config, seed and
corpus train for a few updates, and the losses must match the ones stored in
tests/golden/pretrain_losses.json. Any silent change to masking, sampling, the losses or the
optimizer shows up here. After an intended change, rewrite the file with
``pytest tests/test_golden_losses.py --update-golden`` and say why in the commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf

from electra_rtd.objectives.build import build_objective
from electra_rtd.training.optim import build_optimizer, build_scheduler
from electra_rtd.training.runtime import step_rng

GOLDEN = Path(__file__).parent / "golden" / "pretrain_losses.json"
STEPS = 12
SEED = 1234
# Same-machine runs are bit-identical; the tolerance absorbs BLAS and library rounding only.
RTOL, ATOL = 1e-4, 1e-5
MODEL = {
    "path": None,
    "generator_path": None,
    "generator_fraction": 0.5,
    "share_embeddings": True,
    "architecture": {
        "embedding_size": 16,
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 64,
        "max_position_embeddings": 64,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
    },
}
OBJECTIVES = {
    "rtd": {
        "name": "rtd",
        "mask_probability": 0.15,
        "max_predictions": None,
        "mask_fraction": 0.85,
        "whole_word_masking": False,
        "generator_weight": 1.0,
        "discriminator_weight": 50.0,
        "temperature": 1.0,
        "generator_projection": "masked",
    },
    "mlm": {
        "name": "mlm",
        "mask_probability": 0.15,
        "max_predictions": None,
        "whole_word_masking": False,
    },
}
OPTIM = {"lr": 2e-3, "weight_decay": 0.01, "betas": [0.9, 0.999], "eps": 1e-6, "fused": False}
# Messages in the hand-made vocabulary of conftest.small_tokenizer, chosen so that the per-row
# count matters: 3 real tokens (round(0.45) = 0, so the min-1 rule), 11 and 17 (round differs
# from floor), 21 (3 masked), and short ones in between.
CORPUS = [
    "코인",
    "택배가 도착했습니다",
    "안녕하세요 택배가 도착했습니다 문의 주세요",
    "안녕하세요 비트코인 리딩방 수익 문의 주세요 내일 저녁 먹자 ㅋㅋ 대출 승인",
    "카드 승인",
    "오늘 저녁 먹자 ㅋㅋ",
    "택배가 도착했습니다 카드 승인 문의 주세요 오늘 저녁 먹자",
    "비트코인 리딩방 수익 대출 문의 주세요 ㅋㅋ 안녕하세요 택배가 도착했습니다 오늘 코인 수익",
]


def pretraining_losses(tokenizer, objective_cfg: dict) -> list[float]:
    """The loss of each of STEPS updates, two batches of four messages taken in turn."""
    torch.manual_seed(SEED)
    objective = build_objective(
        OmegaConf.create(objective_cfg), OmegaConf.create(MODEL), tokenizer, max_length=32
    )
    optimizer = build_optimizer(objective, OmegaConf.create(OPTIM))
    scheduler = build_scheduler(optimizer, warmup_steps=2, total_steps=STEPS)
    batches = [
        dict(
            tokenizer(
                CORPUS[i : i + 4],
                padding=True,
                return_special_tokens_mask=True,
                return_tensors="pt",
            )
        )
        for i in (0, 4)
    ]
    objective.train()
    losses = []
    for step in range(STEPS):
        out = objective(**batches[step % 2], rng=step_rng(SEED, step, 0, torch.device("cpu")))
        out.loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(out.loss.item())
    return losses


@pytest.fixture(scope="module")
def measured(small_tokenizer, one_cpu_thread) -> dict[str, list[float]]:
    return {name: pretraining_losses(small_tokenizer, cfg) for name, cfg in OBJECTIVES.items()}


def test_losses_match_the_golden_ones(measured, request) -> None:
    if request.config.getoption("--update-golden"):
        GOLDEN.write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")
        pytest.skip(f"wrote {GOLDEN}")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert golden.keys() == measured.keys()
    for name, losses in golden.items():
        torch.testing.assert_close(
            torch.tensor(measured[name]), torch.tensor(losses), rtol=RTOL, atol=ATOL, msg=name
        )


def test_the_tolerance_catches_a_small_change_to_masking(measured, small_tokenizer) -> None:
    """Keeping 80% instead of 85% of the selected tokens as [MASK] must already break the match."""
    changed = pretraining_losses(small_tokenizer, {**OBJECTIVES["rtd"], "mask_fraction": 0.8})
    deviation = (torch.tensor(changed) - torch.tensor(measured["rtd"])).abs()
    assert (deviation > ATOL + RTOL * torch.tensor(measured["rtd"]).abs()).any()
