"""Dynamic masking for RTD (ELECTRA) and MLM (BERT), on device, from an explicit RNG.

Masks are drawn in the training step rather than in the data loader so every step sees a new
mask, and from a ``torch.Generator`` seeded per step so that a resumed run draws exactly the
masks an uninterrupted run would have drawn.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
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


def reference_max_predictions(probability: float, max_length: int) -> int:
    """The cap on masked positions per sequence, as ``configure_pretraining.py`` derives it:
    ``int((mask_prob + 0.005) * max_seq_length)`` (19 for 15% of 128 tokens)."""
    return int((probability + 0.005) * max_length)


def masked_counts(real: Tensor, probability: float, max_predictions: int | None) -> Tensor:
    """Positions to mask per row: ``max(1, min(max_predictions, round(p * n_real)))``.

    As ``pretrain_helpers.mask`` of google-research/electra, ``n_real`` counts every non-padding
    token ([CLS] and [SEP] included) and rounding is half-to-even (``tf.round``). The min-1 rule
    matters for short messages: with a per-token coin flip an 8-token message has no masked
    token at all about a quarter of the time, and then teaches the discriminator nothing.
    """
    counts = torch.round(real.sum(dim=1).float() * probability).long()
    if max_predictions is not None:
        counts = counts.clamp_max(max_predictions)
    return counts.clamp_min(1)


def select_positions(
    input_ids: Tensor,
    maskable: Tensor,
    real: Tensor,
    probability: float,
    rng: torch.Generator,
    max_predictions: int | None = None,
    continuation: Tensor | None = None,
) -> Tensor:
    """Choose the positions to corrupt: a fixed number per row (``masked_counts``), drawn
    uniformly without replacement among the ``maskable`` ones (False for special tokens and
    padding).

    With ``continuation`` given, whole words (a first piece and its ``##`` pieces) are taken in
    a random order as long as they fit in the row's count; the first word is always taken, so a
    row whose first drawn word is longer than its count masks that one word.
    """
    rows, length = input_ids.shape
    positions = torch.arange(length, device=input_ids.device).expand(rows, length)
    word_start = positions
    if continuation is not None:
        follows_maskable = F.pad(maskable[:, :-1], (1, 0), value=False)
        is_continuation = continuation.to(input_ids.device)[input_ids] & maskable & follows_maskable
        word_start = torch.cummax(torch.where(is_continuation, 0, positions), dim=1).values
    # One uniform draw per word, shared by its pieces; unmaskable positions sort last.
    draws = torch.rand(input_ids.shape, generator=rng, device=input_ids.device)
    draws = torch.where(maskable, draws.gather(1, word_start), 2.0)
    # Stable sort: the pieces of a word stay together and in order.
    order = torch.sort(draws, dim=1, stable=True).indices
    rank = torch.empty_like(order).scatter_(1, order, positions)
    word_size = torch.zeros_like(positions).scatter_add_(1, word_start, maskable.long())
    word_rank = rank - (positions - word_start)  # rank of the word's first piece
    tokens_through_word = word_rank + word_size.gather(1, word_start)
    counts = masked_counts(real, probability, max_predictions)
    return maskable & ((tokens_through_word <= counts[:, None]) | (word_rank == 0))


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
