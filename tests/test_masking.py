"""Masking: the reference's fixed count per sequence, the 85/15 and 80/10/10 splits, special
tokens, whole words."""

from __future__ import annotations

import torch

from electra_rtd.objectives.masking import (
    continuation_table,
    gumbel_sample,
    mask_for_mlm,
    mask_for_rtd,
    masked_counts,
    reference_max_predictions,
    select_positions,
)

MASK_ID = 4
VOCAB = 28


def batch(
    rows: int = 400, length: int = 50, shortest: int = 10
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random ids in [5, VOCAB) with [CLS] first, [SEP] last and some padding; returns the ids,
    the maskable positions and the real (non-padding) ones."""
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(5, VOCAB, (rows, length), generator=gen)
    lengths = torch.randint(shortest, length + 1, (rows,), generator=gen)
    positions = torch.arange(length).expand(rows, length)
    real = positions < lengths[:, None]
    ids[:, 0] = 2
    ids[positions == (lengths[:, None] - 1)] = 3
    ids[~real] = 0
    maskable = real & (positions > 0) & (positions < lengths[:, None] - 1)
    return ids, maskable, real


def rng(seed: int = 1) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_each_row_masks_round_p_n_of_its_real_tokens_and_no_special_token() -> None:
    ids, maskable, real = batch()
    selected = select_positions(ids, maskable, real, 0.15, rng())
    assert not (selected & ~maskable).any(), "special tokens or padding selected"
    expected = torch.round(real.sum(dim=1) * 0.15).long().clamp_min(1)
    assert torch.equal(selected.sum(dim=1), expected)
    assert torch.equal(masked_counts(real, 0.15, None), expected)


def test_short_messages_always_mask_at_least_one_token() -> None:
    """8 tokens between [CLS] and [SEP]: round(0.15 * 10) = 2 masked in every row, never none;
    [CLS] a b [SEP]: round(0.6) = 1."""
    ids, maskable, real = batch(rows=1000, length=10, shortest=10)
    selected = select_positions(ids, maskable, real, 0.15, rng())
    assert torch.equal(selected.sum(dim=1), torch.full((1000,), 2))
    short, short_real = ids[:, :4], real[:, :4]
    short_maskable = maskable[:, :4].clone()
    short_maskable[:, 3] = False  # the [SEP] of a 2-token message
    selected = select_positions(short, short_maskable, short_real, 0.15, rng())
    assert torch.equal(selected.sum(dim=1), torch.ones(1000, dtype=torch.long))
    # [CLS] a [SEP]: round(0.45) = 0, raised to 1.
    assert torch.equal(masked_counts(real[:, :3], 0.15, None), torch.ones(1000, dtype=torch.long))


def test_max_predictions_caps_the_count() -> None:
    ids, maskable, real = batch(rows=50, length=128, shortest=128)
    assert reference_max_predictions(0.15, 128) == 19
    assert reference_max_predictions(0.25, 512) == 130
    selected = select_positions(ids, maskable, real, 0.5, rng(), max_predictions=19)
    assert torch.equal(selected.sum(dim=1), torch.full((50,), 19))


def test_positions_are_drawn_uniformly_among_the_maskable_ones() -> None:
    ids, maskable, real = batch(rows=4000, length=20, shortest=20)
    selected = select_positions(ids, maskable, real, 0.15, rng(11))
    per_position = selected[:, 1:-1].float().mean(dim=0)  # 3 of 18 maskable positions per row
    assert torch.allclose(per_position, torch.full_like(per_position, 3 / 18), atol=0.02)


def test_rtd_split_85_mask_15_unchanged() -> None:
    ids, maskable, real = batch()
    selected = select_positions(ids, maskable, real, 0.15, rng(1))
    corrupted = mask_for_rtd(ids, selected, MASK_ID, 0.85, rng(2))
    assert torch.equal(corrupted[~selected], ids[~selected])
    masked = (corrupted == MASK_ID) & selected
    assert abs(masked.sum().item() / selected.sum().item() - 0.85) < 0.02
    kept = selected & ~masked
    assert torch.equal(corrupted[kept], ids[kept])


def test_mlm_split_80_10_10() -> None:
    ids, maskable, real = batch(rows=1000)
    selected = select_positions(ids, maskable, real, 0.15, rng(3))
    corrupted = mask_for_mlm(ids, selected, MASK_ID, VOCAB, rng(4))
    n = selected.sum().item()
    masked = ((corrupted == MASK_ID) & selected).sum().item() / n
    unchanged = ((corrupted == ids) & selected).sum().item() / n
    assert abs(masked - 0.8) < 0.02
    # 10% kept on purpose plus random draws that hit the original token (1/VOCAB of 10%).
    assert abs(unchanged - (0.1 + 0.1 / VOCAB)) < 0.02
    assert torch.equal(corrupted[~selected], ids[~selected])


def test_masking_is_a_function_of_the_rng_seed() -> None:
    ids, maskable, real = batch(rows=20)
    first = select_positions(ids, maskable, real, 0.15, rng(7))
    again = select_positions(ids, maskable, real, 0.15, rng(7))
    other = select_positions(ids, maskable, real, 0.15, rng(8))
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_whole_word_masking_takes_every_piece_of_a_word(small_tokenizer) -> None:
    table = continuation_table(small_tokenizer.get_vocab(), len(small_tokenizer))
    encoded = small_tokenizer(
        ["택배가 도착했습니다 비트코인 ㅋㅋ 오늘 저녁 먹자"] * 300, return_tensors="pt"
    )
    ids, real = encoded["input_ids"], encoded["attention_mask"].bool()
    maskable = real & ~torch.isin(ids, torch.tensor([2, 3]))
    selected = select_positions(ids, maskable, real, 0.3, rng(5), continuation=table)
    tokens = small_tokenizer.convert_ids_to_tokens(ids[0])
    # Pieces of one word: 택배 ##가 | 도착 ##했 ##습니다 | 비트 ##코인 | ㅋ ##ㅋ | 오늘 | 저녁 | 먹자
    words, current = [], []
    for position, token in enumerate(tokens[1:-1], start=1):
        if not token.startswith("##") and current:
            words.append(current)
            current = []
        current.append(position)
    words.append(current)
    assert [len(word) for word in words] == [2, 3, 2, 2, 1, 1, 1]
    for word in words:
        column = selected[:, word]
        assert torch.all(column.all(dim=1) | (~column).all(dim=1)), f"word split: {word}"
    # 14 real tokens: round(0.3 * 14) = 4 per row. Whole words are taken while they fit (the
    # first drawn one always), so a row holds 2 to 4 tokens, and most rows exactly 4.
    counts = selected.sum(dim=1)
    assert counts.min() >= 2 and counts.max() <= 4
    assert (counts == 4).float().mean() > 0.5
    first_pieces = torch.tensor([word[0] for word in words])
    assert (selected[:, first_pieces].float().mean(dim=0) > 0.1).all(), "a word is never drawn"


def test_gumbel_sampling_follows_the_softmax() -> None:
    logits = torch.log(torch.tensor([[0.1, 0.2, 0.7]])).expand(20000, 3)
    samples = gumbel_sample(logits, rng(9))
    freq = torch.bincount(samples, minlength=3).float() / len(samples)
    assert torch.allclose(freq, torch.tensor([0.1, 0.2, 0.7]), atol=0.015)
