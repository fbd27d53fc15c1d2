"""Place keyword strings (as an LLM or a person writes them) on a message as character spans.

A keyword is looked up exactly first. Where it is not there, the answer usually names the word the
message spells in disguise ("비트코인" for "비II트코인", "BTC" for "b.t.c"), so the keyword and the
message are both normalised and the match is projected back through the offset map, labelling the
disguised spelling. A keyword found neither way is dropped and counted, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from electra_rtd.text.normalise import DEFAULT_CONFIG, NormaliseConfig, normalise
from electra_rtd.text.spans import Span
from electra_rtd.text.text_offsets import NormalisedText


@dataclass(frozen=True)
class Alignment:
    """The spans of the keywords that were found, and the keywords that were not."""

    spans: tuple[Span, ...]
    exact: int
    normalised: int
    dropped: tuple[str, ...]


def align_keywords(
    text: str,
    keywords: Iterable[str],
    label: str,
    config: NormaliseConfig = DEFAULT_CONFIG,
) -> Alignment:
    """Spans of every occurrence of every keyword, longest keyword first, never overlapping.

    Longest first so that "비트코인" is not cut into "비트" + "코인" when all three are named.
    Matching ignores letter case in the normalised fallback, as spam mixes it freely.
    """
    cleaned = sorted(
        {keyword.strip() for keyword in keywords if keyword.strip()},
        key=lambda keyword: (-len(keyword), keyword),
    )
    taken = bytearray(len(text))
    spans: list[Span] = []
    exact = found_normalised = 0
    dropped = []
    normalised: NormalisedText | None = None
    for keyword in cleaned:
        matches = _occurrences(text, keyword)
        if matches:
            exact += 1
        else:
            normalised = normalised or normalise(text, config)
            matches = _normalised_occurrences(normalised, keyword, config)
            if not matches:
                dropped.append(keyword)
                continue
            found_normalised += 1
        for start, end in matches:
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                spans.append(Span(start, end, label))
    return Alignment(tuple(sorted(spans)), exact, found_normalised, tuple(dropped))


def _occurrences(text: str, keyword: str) -> list[tuple[int, int]]:
    found = []
    start = text.find(keyword)
    while start != -1:
        found.append((start, start + len(keyword)))
        start = text.find(keyword, start + len(keyword))
    return found


def _normalised_occurrences(
    normalised: NormalisedText, keyword: str, config: NormaliseConfig
) -> list[tuple[int, int]]:
    """Occurrences in the normalised text, as spans of the original one."""
    target = normalise(keyword, config).text
    haystack = normalised.text
    if not target:
        return []
    # Lower-casing keeps every character in place for the scripts messages use; where it would
    # not, the comparison keeps the case.
    if len(haystack.lower()) == len(haystack) and len(target.lower()) == len(target):
        haystack, target = haystack.lower(), target.lower()
    spans = []
    for start, end in _occurrences(haystack, target):
        original_start, original_end = normalised.to_original_span(start, end)
        surface = normalised.source[original_start:original_end]
        # Trim what the mapping may pull in at the edges (a space that became part of a word).
        leading = len(surface) - len(surface.lstrip())
        trailing = len(surface) - len(surface.rstrip())
        if original_end - trailing > original_start + leading:
            spans.append((original_start + leading, original_end - trailing))
    return spans
