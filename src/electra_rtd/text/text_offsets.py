"""Text edits that remember where every output character came from in the original message.

Silver labels and masks are found in cleaned text but must be reported on the raw message, so every
cleaning step works on a (text, offsets) pair: `offsets[i]` is the index in the original string of
the character that produced output character `i`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """Cleaned text plus, for each of its characters, the index of its source character."""

    text: str
    offsets: list[int]
    source: str

    def __post_init__(self) -> None:
        if len(self.text) != len(self.offsets):
            raise ValueError(
                f"NormalisedText needs one offset per character: {len(self.text)} characters, "
                f"{len(self.offsets)} offsets"
            )

    def to_original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span [start, end) of `text` to the span of `source` it came from.

        The end covers the last source character fully, including combining characters that
        were merged into it (e.g. a decomposed Hangul syllable).
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(
                f"span ({start}, {end}) outside normalised text of length {len(self.text)}"
            )
        if start == end:
            position = self.offsets[start] if start < len(self.offsets) else len(self.source)
            return position, position
        original_end = self.offsets[end - 1] + 1
        next_source = self.offsets[end] if end < len(self.offsets) else len(self.source)
        while original_end < next_source and combines_with_previous(self.source[original_end]):
            original_end += 1
        return self.offsets[start], original_end

    def original(self, start: int, end: int) -> str:
        """The source substring behind the normalised span [start, end)."""
        original_start, original_end = self.to_original_span(start, end)
        return self.source[original_start:original_end]


def combines_with_previous(char: str) -> bool:
    """Characters NFC merges into the previous one: combining marks and Hangul medial/final jamo."""
    code = ord(char)
    return unicodedata.combining(char) != 0 or 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF


def align(old: str, new: str) -> list[int]:
    """For each character of `new`, the index in `old` it came from (`old` must not be empty).

    Equal lengths map one to one (look-alike swaps, case changes); otherwise `new` is matched as a
    subsequence of `old` (deleted separators, squashed repeats) and a generated character maps to
    the next unconsumed position of `old`.
    """
    if len(old) == len(new):
        return list(range(len(new)))
    indices = []
    cursor = 0
    last = len(old) - 1
    for char in new:
        found = old.find(char, cursor)
        if found == -1:
            indices.append(min(cursor, last))
        else:
            indices.append(found)
            cursor = found + 1
    return indices


def sub_mapped(
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], str | None],
    text: str,
    offsets: list[int],
) -> tuple[str, list[int]]:
    """`pattern.sub` that also rewrites offsets; `replace` returns None to keep a match as it is."""
    pieces: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        if start == end:
            continue
        replacement = replace(match)
        if replacement is None or replacement == match.group():
            continue
        pieces.append(text[last:start])
        new_offsets.extend(offsets[last:start])
        pieces.append(replacement)
        new_offsets.extend(offsets[start + index] for index in align(match.group(), replacement))
        last = end
    if not pieces:
        return text, offsets
    pieces.append(text[last:])
    new_offsets.extend(offsets[last:])
    return "".join(pieces), new_offsets
