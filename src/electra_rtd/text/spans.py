"""Spans and BIO tags: the shapes every layer shares (readers, tagger, scores, corpus tools).

A span is a labelled half-open interval ``[start, end)`` of characters in a message (or of tokens).
Gold spans and decoded predictions never begin or end with whitespace (`trim_span`), so strict
span scores compare like with like.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

OUTSIDE_TAG = "O"


class Span(NamedTuple):
    """A labelled half-open interval ``[start, end)`` of characters (or of tokens)."""

    start: int
    end: int
    label: str


def bio_to_spans(tags: Sequence[str]) -> list[Span]:
    """Token spans (``end`` exclusive) encoded by a BIO tag sequence, decoded like seqeval.

    Seqeval's default (non-strict, conlleval) mode is matched, including for ill-formed input: an
    ``I-X`` that follows ``O`` or a tag of another label opens a new span instead of being
    dropped. A tagger's raw output is often ill-formed in just this way, and scoring it the way
    seqeval and conlleval do keeps our numbers comparable with published ones.
    """
    spans: list[Span] = []
    open_label: str | None = None
    open_start = 0
    for index, tag in enumerate(tags):
        prefix, label = _split_tag(tag, index)
        if prefix == "I" and label == open_label:
            continue
        if open_label is not None:
            spans.append(Span(open_start, index, open_label))
        open_label, open_start = label, index
    if open_label is not None:
        spans.append(Span(open_start, len(tags), open_label))
    return spans


def spans_from_bio(tags: Sequence[str], offsets: Sequence[tuple[int, int]]) -> list[Span]:
    """Character spans from BIO tags over subword tokens and the tokens' character offsets.

    ``offsets[i]`` is token i's ``(start, end)`` in the message, as a fast tokenizer's offset
    mapping gives it; pass only real tokens (drop special and padding tokens first).
    """
    if len(tags) != len(offsets):
        raise ValueError(f"{len(tags)} tags but {len(offsets)} token offsets")
    return [
        Span(offsets[span.start][0], offsets[span.end - 1][1], span.label)
        for span in bio_to_spans(tags)
    ]


def _split_tag(tag: str, index: int) -> tuple[str, str | None]:
    if tag == OUTSIDE_TAG:
        return OUTSIDE_TAG, None
    prefix, _, label = tag.partition("-")
    if prefix not in ("B", "I") or not label:
        raise ValueError(f"tag {index} is {tag!r}; expected 'O', 'B-<label>' or 'I-<label>'")
    return prefix, label


def normalise_keyword(surface: str) -> str:
    """Comparable form of a keyword string: whitespace runs collapsed to one space, casefolded."""
    return " ".join(surface.split()).casefold()


def trim_span(span: Span, text: str) -> Span | None:
    """The span without whitespace at its ends (``str.isspace``), or None if nothing else is left."""
    surface = text[span.start : span.end]
    stripped = surface.strip()
    if not stripped:
        return None
    start = span.start + len(surface) - len(surface.lstrip())
    return Span(start, start + len(stripped), span.label)
