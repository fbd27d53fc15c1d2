"""Long messages as overlapping windows of at most ``max_length`` tokens, for training and tagging.

Fast tokenizers cut a long text into windows that share ``stride`` tokens
(``return_overflowing_tokens=True``). Training labels every window; tagging reads every window and
keeps, of each shared stretch, the half where a token has more context (`window_parts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from transformers import PreTrainedTokenizerBase

AUTO = "auto"
Stride = int | Literal["auto"] | None


def resolve_stride(
    stride: Stride, max_length: int, tokenizer: PreTrainedTokenizerBase
) -> int | None:
    """Tokens shared by consecutive windows: ``"auto"`` is a quarter of a window's real tokens
    (32 at max_length 128), None means truncate; anything else must leave the window room."""
    window = max_length - tokenizer.num_special_tokens_to_add()
    if stride == AUTO:
        return window // 4
    if stride is not None and not (isinstance(stride, int) and 0 <= stride < window):
        raise ValueError(
            f"stride must be 'auto', None (truncate) or an int from 0 to {window - 1} (the real "
            f"tokens of a max_length={max_length} window), got {stride!r}"
        )
    return stride


def window_parts(lengths: Sequence[int], stride: int) -> list[tuple[int, int]]:
    """Which tokens of each window of one message to keep, as ``(first, last)`` ranges.

    Consecutive windows share ``stride`` tokens: the overlap is split in the middle, so the kept
    parts tile the message exactly once and every kept token has at least ``stride // 2`` tokens
    of context on both sides, except at the message's own ends. ``lengths`` are the windows'
    real-token counts, in order.
    """
    head, tail = stride // 2, stride - stride // 2
    last = len(lengths) - 1
    return [
        (0 if index == 0 else head, length if index == last else length - tail)
        for index, length in enumerate(lengths)
    ]
