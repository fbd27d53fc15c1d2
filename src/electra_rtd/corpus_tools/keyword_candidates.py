"""Keyword candidates of a message: its nouns and noun phrases, found in the normalised text and
placed on the original one.

Kiwi reads the normalised text, so obfuscated spellings (비II트코인, b.t.c, 코ll인) are seen as the
words they spell; each noun is then projected back through the `NormalisedText` offset map, so a
label covers the spelling the message really has. Nouns inside slots (`find_pii`: links, codes,
amounts, names...) are dropped: a slot's value varies from copy to copy and is never a keyword.

A message is reduced to `NounToken`s that remember how each noun attaches to the one before it;
candidates are runs of up to `max_tokens` attached nouns (compounds such as CJ대한통운, phrases such
as 해외 선물). Corpora are analysed once per distinct text, since spam dumps repeat messages.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import Pool
from typing import NamedTuple

from kiwipiepy import Kiwi

from electra_rtd.baselines.kiwi_nouns import KiwiNounExtractor
from electra_rtd.text.normalise import NormaliseConfig, normalise
from electra_rtd.text.privacy import PiiKind, find_pii
from electra_rtd.text.spans import Span, normalise_keyword
from electra_rtd.text.text_offsets import NormalisedText

logger = logging.getLogger(__name__)

# How a noun attaches to the previous one: touching it (a compound), after one space (a phrase).
GLUED = ""
SPACED = " "
# Chunks between two progress lines in the log.
PROGRESS_EVERY = 20


class NounToken(NamedTuple):
    """One content noun: its comparable form and its span in the original message."""

    key: str
    start: int
    end: int
    # GLUED or SPACED when it continues the previous noun's run, None when it starts a new one.
    joiner: str | None


MessageNouns = tuple[NounToken, ...]


@dataclass(frozen=True)
class NounSettings:
    """What the analysis of one message depends on; picklable, so worker processes get a copy."""

    normalise: NormaliseConfig
    excluded_slots: frozenset[PiiKind]
    stop_words: frozenset[str]
    join_spaced: bool


@lru_cache(maxsize=1)
def shared_kiwi() -> Kiwi:
    """One Kiwi per process: loading its model takes seconds, and it holds no per-call state."""
    return Kiwi(num_workers=1)


class NounAnalyser:
    """Normalise, find slots, run Kiwi and keep the content nouns, for a batch of messages."""

    def __init__(self, settings: NounSettings, kiwi: Kiwi | None = None) -> None:
        self.settings = settings
        # Tokens one by one (no compound merging, no length limit): runs are built here, so that
        # sub-runs of a compound are candidates too.
        self.extractor = KiwiNounExtractor(
            kiwi if kiwi is not None else shared_kiwi(),
            merge_compounds=False,
            min_length=1,
            stop_nouns=settings.stop_words,
        )

    def analyse(self, texts: Sequence[str]) -> list[MessageNouns]:
        """The nouns of each text; Kiwi analyses the whole batch in one call."""
        normalised = [normalise(text, self.settings.normalise) for text in texts]
        spans = self.extractor.extract([item.text for item in normalised])
        return [self._tokens(item, found) for item, found in zip(normalised, spans, strict=True)]

    def _tokens(self, normalised: NormalisedText, spans: list[Span]) -> MessageNouns:
        slots = [
            (slot.start, slot.end)
            for slot in find_pii(normalised.text, self.settings.excluded_slots)
        ]
        tokens: list[NounToken] = []
        previous: Span | None = None
        for span in spans:
            if any(start < span.end and span.start < end for start, end in slots):
                previous = None
                continue
            start, end = normalised.to_original_span(span.start, span.end)
            joiner = None if previous is None else self._joiner(normalised, previous, span, start)
            key = normalise_keyword(normalised.text[span.start : span.end])
            tokens.append(NounToken(key, start, end, joiner))
            previous = span
        return tuple(tokens)

    def _joiner(
        self, normalised: NormalisedText, previous: Span, span: Span, start: int
    ) -> str | None:
        """GLUED, SPACED or None; a phrase needs real whitespace in the original between its nouns,
        not removed boilerplate that normalisation turned into a space."""
        gap = normalised.text[previous.end : span.start]
        if gap == GLUED:
            return GLUED
        if gap != SPACED or not self.settings.join_spaced:
            return None
        previous_end = normalised.to_original_span(previous.start, previous.end)[1]
        original_gap = normalised.source[previous_end:start]
        return SPACED if original_gap and not original_gap.strip() else None


def run_end(nouns: MessageNouns, first: int, max_tokens: int) -> int:
    """Index after the last noun that may join a candidate starting at `first`."""
    last = first + 1
    while last < len(nouns) and last - first < max_tokens and nouns[last].joiner is not None:
        last += 1
    return last


def phrase_key(nouns: MessageNouns, first: int, last: int) -> str:
    """The comparable form of nouns[first:last] as one candidate ("cj대한통운", "해외 선물")."""
    return nouns[first].key + "".join(
        token.joiner + token.key for token in nouns[first + 1 : last] if token.joiner is not None
    )


def candidate_keys(nouns: MessageNouns, max_tokens: int, min_chars: int) -> set[str]:
    """Every run of 1..max_tokens attached nouns with at least `min_chars` characters."""
    keys = set()
    for first in range(len(nouns)):
        for last in range(first + 1, run_end(nouns, first, max_tokens) + 1):
            key = phrase_key(nouns, first, last)
            if len(key) >= min_chars:
                keys.add(key)
    return keys


def analyse_corpus(
    texts: Sequence[str], settings: NounSettings, workers: int = 1, chunk_size: int = 1000
) -> list[MessageNouns]:
    """The nouns of every message, each distinct text analysed once, in `workers` processes."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    distinct = list(dict.fromkeys(texts))
    chunks = [distinct[i : i + chunk_size] for i in range(0, len(distinct), chunk_size)]
    logger.info(
        "analysing %d distinct of %d messages in %d chunks with %d worker(s)",
        len(distinct),
        len(texts),
        len(chunks),
        workers,
    )
    by_text: dict[str, MessageNouns] = {}
    analysed_chunks = _analysed_chunks(chunks, settings, workers)
    for number, (chunk, analysed) in enumerate(zip(chunks, analysed_chunks, strict=True), 1):
        by_text.update(zip(chunk, analysed, strict=True))
        if number % PROGRESS_EVERY == 0:
            logger.info("analysed %d/%d distinct messages", len(by_text), len(distinct))
    return [by_text[text] for text in texts]


def _analysed_chunks(
    chunks: list[list[str]], settings: NounSettings, workers: int
) -> Iterator[list[MessageNouns]]:
    if workers == 1 or len(chunks) == 1:
        analyser = NounAnalyser(settings)
        yield from (analyser.analyse(chunk) for chunk in chunks)
        return
    with Pool(min(workers, len(chunks)), initializer=_start_worker, initargs=(settings,)) as pool:
        yield from pool.imap(_analyse_in_worker, chunks)


_worker_analyser: NounAnalyser | None = None


def _start_worker(settings: NounSettings) -> None:
    """Each worker process loads its own Kiwi model once. Not the parent's copy: a Kiwi cannot be
    pickled, and a forked one would wait for worker threads that did not survive the fork."""
    global _worker_analyser
    _worker_analyser = NounAnalyser(settings, Kiwi(num_workers=1))


def _analyse_in_worker(chunk: list[str]) -> list[MessageNouns]:
    assert _worker_analyser is not None, "worker started without _start_worker"
    return _worker_analyser.analyse(chunk)
