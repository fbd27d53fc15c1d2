"""Dynamic masking for RTD (ELECTRA) and MLM (BERT), on device, from an explicit RNG.

Masks are drawn in the training step rather than in the data loader so every step sees a new
mask, and from a ``torch.Generator`` seeded per step so that a resumed run draws exactly the
masks an uninterrupted run would have drawn.
"""

from __future__ import annotations

import torch
from torch import Tensor


def continuation_table(vocab: dict[str, int], vocab_size: int) -> Tensor:
    """Boolean table over token ids: True for WordPiece continuations (``##...``).

    Used for whole-word masking: a Korean eojeol is one whitespace word, split by WordPiece into
    a first piece and ``##`` continuations, and is masked as one unit.
    """
    table = torch.zeros(vocab_size, dtype=torch.bool)
    for token, index in vocab.items():
        if token.startswith("##") and index < vocab_size:
            table[index] = True
    return table


def select_positions(
    input_ids: Tensor,
    maskable: Tensor,
    probability: float,
    rng: torch.Generator,
    continuation: Tensor | None = None,
) -> Tensor:
    """Choose positions to corrupt: each maskable token (or whole word) with ``probability``.

    ``maskable`` is False for special tokens and padding. With ``continuation`` given, the draw is
    made once per word (at its first piece) and shared by all of the word's pieces.
    """
    draws = torch.rand(input_ids.shape, generator=rng, device=input_ids.device)
    if continuation is not None:
        is_continuation = continuation.to(input_ids.device)[input_ids] & maskable
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).expand_as(input_ids)
        word_start = torch.where(is_continuation, torch.zeros_like(positions), positions)
        word_start = torch.cummax(word_start, dim=1).values
        draws = draws.gather(1, word_start)
    return (draws < probability) & maskable


def mask_for_rtd(
    input_ids: Tensor,
    selected: Tensor,
    mask_token_id: int,
    mask_fraction: float,
    rng: torch.Generator,
) -> Tensor:
    """Generator input: of the selected positions, ``mask_fraction`` become [MASK], the rest stay.

    ELECTRA uses 85% [MASK] / 15% unchanged; the generator still predicts every selected position.
    """
    to_mask = selected & (
        torch.rand(input_ids.shape, generator=rng, device=input_ids.device) < mask_fraction
    )
    return torch.where(to_mask, torch.full_like(input_ids, mask_token_id), input_ids)


def mask_for_mlm(
    input_ids: Tensor,
    selected: Tensor,
    mask_token_id: int,
    vocab_size: int,
    rng: torch.Generator,
    mask_fraction: float = 0.8,
    random_fraction: float = 0.1,
) -> Tensor:
    """BERT's corruption: of the selected positions 80% [MASK], 10% a random token, 10% unchanged."""
    draws = torch.rand(input_ids.shape, generator=rng, device=input_ids.device)
    to_mask = selected & (draws < mask_fraction)
    to_random = selected & (draws >= mask_fraction) & (draws < mask_fraction + random_fraction)
    random_ids = torch.randint(
        vocab_size, input_ids.shape, generator=rng, device=input_ids.device, dtype=input_ids.dtype
    )
    corrupted = torch.where(to_random, random_ids, input_ids)
    return torch.where(to_mask, torch.full_like(input_ids, mask_token_id), corrupted)


def gumbel_sample(logits: Tensor, rng: torch.Generator, temperature: float = 1.0) -> Tensor:
    """Sample token ids from softmax(logits / temperature) with the Gumbel-max trick.

    Written as argmax(p / E) with E ~ Exp(1), which equals argmax(log p + Gumbel noise) but needs
    one logarithm instead of three over the (n_masked, vocab) matrix.
    """
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    noise = torch.empty_like(probs).exponential_(generator=rng)
    return (probs / noise).argmax(dim=-1)
