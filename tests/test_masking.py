"""Masking statistics: rates, the 85/15 and 80/10/10 splits, special tokens, whole words."""

from __future__ import annotations

import torch

from electra_rtd.objectives.masking import (
    continuation_table,
    gumbel_sample,
    mask_for_mlm,
    mask_for_rtd,
    select_positions,
)

MASK_ID = 4
VOCAB = 28


def batch(rows: int = 400, length: int = 50) -> tuple[torch.Tensor, torch.Tensor]:
    """Random ids in [5, VOCAB) with [CLS] first, [SEP] last and some padding."""
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(5, VOCAB, (rows, length), generator=gen)
    lengths = torch.randint(10, length + 1, (rows,), generator=gen)
    positions = torch.arange(length).expand(rows, length)
    real = positions < lengths[:, None]
    ids[:, 0] = 2
    ids[positions == (lengths[:, None] - 1)] = 3
    ids[~real] = 0
    maskable = real & (positions > 0) & (positions < lengths[:, None] - 1)
    return ids, maskable


def rng(seed: int = 1) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_selection_rate_and_no_special_tokens() -> None:
    ids, maskable = batch()
    selected = select_positions(ids, maskable, 0.15, rng())
    assert not (selected & ~maskable).any(), "special tokens or padding selected"
    rate = selected.sum() / maskable.sum()
    assert abs(rate.item() - 0.15) < 0.01


def test_rtd_split_85_mask_15_unchanged() -> None:
    ids, maskable = batch()
    selected = select_positions(ids, maskable, 0.15, rng(1))
    corrupted = mask_for_rtd(ids, selected, MASK_ID, 0.85, rng(2))
    assert torch.equal(corrupted[~selected], ids[~selected])
    masked = (corrupted == MASK_ID) & selected
    assert abs(masked.sum().item() / selected.sum().item() - 0.85) < 0.02
    kept = selected & ~masked
    assert torch.equal(corrupted[kept], ids[kept])


def test_mlm_split_80_10_10() -> None:
    ids, maskable = batch(rows=1000)
    selected = select_positions(ids, maskable, 0.15, rng(3))
    corrupted = mask_for_mlm(ids, selected, MASK_ID, VOCAB, rng(4))
    n = selected.sum().item()
    masked = ((corrupted == MASK_ID) & selected).sum().item() / n
    unchanged = ((corrupted == ids) & selected).sum().item() / n
    assert abs(masked - 0.8) < 0.02
    # 10% kept on purpose plus random draws that hit the original token (1/VOCAB of 10%).
    assert abs(unchanged - (0.1 + 0.1 / VOCAB)) < 0.02
    assert torch.equal(corrupted[~selected], ids[~selected])


def test_masking_is_a_function_of_the_rng_seed() -> None:
    ids, maskable = batch(rows=20)
    first = select_positions(ids, maskable, 0.15, rng(7))
    again = select_positions(ids, maskable, 0.15, rng(7))
    other = select_positions(ids, maskable, 0.15, rng(8))
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_whole_word_masking_takes_every_piece_of_a_word(small_tokenizer) -> None:
    table = continuation_table(small_tokenizer.get_vocab(), len(small_tokenizer))
    encoded = small_tokenizer(
        ["택배가 도착했습니다 비트코인 ㅋㅋ 오늘 저녁 먹자"] * 300, return_tensors="pt"
    )
    ids = encoded["input_ids"]
    maskable = encoded["attention_mask"].bool() & ~torch.isin(ids, torch.tensor([2, 3]))
    selected = select_positions(ids, maskable, 0.3, rng(5), table)
    tokens = small_tokenizer.convert_ids_to_tokens(ids[0])
    # Pieces of one word: 택배 ##가 | 도착 ##했 ##습니다 | 비트 ##코인 | ㅋ ##ㅋ
    words, current = [], []
    for position, token in enumerate(tokens[1:-1], start=1):
        if not token.startswith("##") and current:
            words.append(current)
            current = []
        current.append(position)
    words.append(current)
    for word in words:
        column = selected[:, word]
        assert torch.all(column.all(dim=1) | (~column).all(dim=1)), f"word split: {word}"
    assert 0.2 < selected[:, words[0][0]].float().mean() < 0.4


def test_gumbel_sampling_follows_the_softmax() -> None:
    logits = torch.log(torch.tensor([[0.1, 0.2, 0.7]])).expand(20000, 3)
    samples = gumbel_sample(logits, rng(9))
    freq = torch.bincount(samples, minlength=3).float() / len(samples)
    assert torch.allclose(freq, torch.tensor([0.1, 0.2, 0.7]), atol=0.015)
