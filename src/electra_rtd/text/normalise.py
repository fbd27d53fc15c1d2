"""Message normalisation with offset mapping: the first stage of de-duplication and silver labelling.

Copies of one spam differ in Unicode tricks, carrier boilerplate, repeated symbols and obfuscated
spellings; `normalise` removes those differences and keeps, for every output character, the index
of the source character it came from, so spans found in the clean text map back to the raw message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from multiprocessing import Pool

from electra_rtd.text import boilerplate, pii_patterns
from electra_rtd.text.deobfuscate import (
    DEFAULT_LEXICON,
    check_lexicon,
    deobfuscate_hangul,
    deobfuscate_latin,
)
from electra_rtd.text.text_offsets import NormalisedText, sub_mapped
from electra_rtd.text.unicode_fold import fold_unicode

_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")
# One symbol repeated ("!!!!", "★★★", "____") becomes one. Dots keep the ellipsis ("....." ->
# "...", ".." stays) and "^^" stays an emoticon, as does "ㅡㅡ"; a longer line of "ㅡ" becomes one.
_REPEATED_SYMBOL = re.compile(r"([^\w\s.^]|_)\1+|\.{4,}|\^{3,}|ㅡ{3,}")
_SQUASHED = {".": "...", "^": "^^"}


@dataclass(frozen=True)
class NormaliseConfig:
    """Which normalisation steps run; every step can be switched off (e.g. from a Hydra config)."""

    unicode_nfkc: bool = True
    # Zero-width characters removed, Hangul filler blanks (U+3164) turned into spaces.
    remove_invisible: bool = True
    # The KISA report wrapper: "MMS 스팸신고" in front, "SMS/-" or "MMS/<title>" at the end.
    strip_report_markers: bool = True
    keep_mms_title: bool = False
    strip_carrier_tags: bool = True
    strip_ad_tags: bool = True
    strip_opt_out: bool = True
    collapse_whitespace: bool = True
    squash_symbols: bool = True
    # "b.t.c" -> "btc", "C0lN" -> "COIN", "3oo만" -> "300만".
    deobfuscate_latin: bool = True
    # "비II트" -> "비트", "카~지~노" -> "카지노", "수.익" -> "수익" (lexicon words only).
    deobfuscate_hangul: bool = True
    # "긴 급 공 지" -> "긴급공지", and two-syllable lexicon words ("코 인" -> "코인").
    join_spaced_syllables: bool = True
    lexicon: tuple[str, ...] = DEFAULT_LEXICON
    lowercase: bool = False

    def __post_init__(self) -> None:
        # Hydra and OmegaConf hand over lists; the config must stay hashable for caching.
        object.__setattr__(self, "lexicon", tuple(self.lexicon))
        check_lexicon(self.lexicon)


DEFAULT_CONFIG = NormaliseConfig()


def _collapse_whitespace(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    text, offsets = sub_mapped(_WHITESPACE, lambda match: " ", text, offsets)
    start = 1 if text.startswith(" ") else 0
    end = len(text) - 1 if text.endswith(" ") and len(text) > start else len(text)
    return text[start:end], offsets[start:end]


def _squash_symbols(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    return sub_mapped(
        _REPEATED_SYMBOL,
        lambda match: _SQUASHED.get(match.group()[0], match.group()[0]),
        text,
        offsets,
    )


def _lowercase(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered, offsets
    parts = [char.lower() for char in text]
    return "".join(parts), [
        offset for part, offset in zip(parts, offsets, strict=True) for _ in part
    ]


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Links, e-mail addresses and @handles: their dots and digits are not obfuscation."""
    spans = pii_patterns.url_spans(text)
    if "@" in text:
        spans += [match.span() for match in pii_patterns.EMAIL.finditer(text)]
        spans += [match.span() for match in pii_patterns.HANDLE.finditer(text)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _clean_words(text: str, offsets: list[int], config: NormaliseConfig) -> tuple[str, list[int]]:
    """The steps that must not touch links: squashing, de-obfuscation, lower-casing."""
    if config.squash_symbols:
        text, offsets = _squash_symbols(text, offsets)
    if config.deobfuscate_latin:
        text, offsets = deobfuscate_latin(text, offsets)
    if config.deobfuscate_hangul:
        text, offsets = deobfuscate_hangul(
            text, offsets, config.lexicon, config.join_spaced_syllables
        )
    if config.lowercase:
        text, offsets = _lowercase(text, offsets)
    return text, offsets


def _clean_outside_links(
    text: str, offsets: list[int], config: NormaliseConfig
) -> tuple[str, list[int]]:
    pieces: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for start, end in [*_protected_spans(text), (len(text), len(text))]:
        words, word_offsets = _clean_words(text[last:start], offsets[last:start], config)
        pieces += [words, text[start:end]]
        new_offsets += word_offsets + offsets[start:end]
        last = end
    return "".join(pieces), new_offsets


def normalise(text: str, config: NormaliseConfig = DEFAULT_CONFIG) -> NormalisedText:
    """Normalise one message; `offsets[i]` of the result is the source index of character i."""
    if not isinstance(text, str):
        raise TypeError(f"normalise expects a str, got {type(text).__name__}")
    offsets = list(range(len(text)))
    current = text
    if config.strip_report_markers:
        current, offsets = boilerplate.strip_report_markers(current, offsets, config.keep_mms_title)
    if config.unicode_nfkc or config.remove_invisible:
        current, offsets = fold_unicode(
            current, offsets, config.unicode_nfkc, config.remove_invisible
        )
    tags = (
        (boilerplate.CARRIER_TAG,) * config.strip_carrier_tags
        + (boilerplate.AD_TAG,) * config.strip_ad_tags
        + (boilerplate.OPT_OUT,) * config.strip_opt_out
    )
    current, offsets = boilerplate.strip_tags(current, offsets, tags)
    if config.collapse_whitespace:
        current, offsets = _collapse_whitespace(current, offsets)
    before_cleaning = current
    current, offsets = _clean_outside_links(current, offsets, config)
    if current != before_cleaning:
        # De-obfuscation can reveal boilerplate ("무_료거부" -> "무료거부").
        before_tags = current
        current, offsets = boilerplate.strip_tags(current, offsets, tags)
        if config.collapse_whitespace and current != before_tags:
            current, offsets = _collapse_whitespace(current, offsets)
    return NormalisedText(current, offsets, text)


def normalise_many(
    texts: Iterable[str],
    config: NormaliseConfig = DEFAULT_CONFIG,
    workers: int = 1,
    chunksize: int = 2000,
) -> Iterator[NormalisedText]:
    """Normalise a stream of messages in order, optionally in `workers` processes.

    Results are yielded one by one so that a million messages never sit in memory at once.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if workers == 1:
        yield from (normalise(text, config) for text in texts)
        return
    with Pool(workers) as pool:
        yield from pool.imap(partial(normalise, config=config), texts, chunksize=chunksize)
