"""Silver keyword labels: training data for the keyword tagger from an unlabelled corpus.

No one labels anything. The nouns and noun phrases of every message (read on the normalised text,
so obfuscated spellings count as the words they spell) are scored by how characteristic they are
of the corpus and its clusters against a background of ordinary Korean; the best `top_n` that
occur in at least `min_count` messages form the keyword vocabulary, and every occurrence of a
vocabulary term in every message becomes a span on the original text. The labels are only as good
as "distinctive nouns", so they suit pretraining a tagger or bootstrapping review, not evaluation.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from electra_rtd.baselines.kiwi_nouns import DEFAULT_STOP_NOUNS
from electra_rtd.corpus_tools.keyword_candidates import (
    MessageNouns,
    NounSettings,
    analyse_corpus,
    phrase_key,
    run_end,
)
from electra_rtd.corpus_tools.keyword_scoring import (
    ScoredTerm,
    TermCounts,
    check_cluster_ids,
    count_terms,
    score_terms,
)
from electra_rtd.data.corpus import corpus_parts, iter_records
from electra_rtd.data.labelled import DEFAULT_LABEL, LabelledMessage, write_labelled
from electra_rtd.text.normalise import NormaliseConfig
from electra_rtd.text.privacy import PiiKind
from electra_rtd.text.spans import Span, normalise_keyword, trim_span

logger = logging.getLogger(__name__)

SOURCE = "silver"
# Meta keys of each message: the vocabulary term behind each span and its score, in span order
# (two flat lists rather than a dict per span: a large corpus has millions of spans).
KEYWORDS_META = "silver_keywords"
SCORES_META = "silver_scores"
SCORE_DIGITS = 6


@dataclass(frozen=True)
class SilverConfig:
    """How candidates are found, scored and chosen; lists are accepted for Hydra."""

    # Size of the keyword vocabulary (None: every candidate that scores above zero), and the
    # messages a term must occur in to enter it. On the synthetic corpus (5,000 messages) a
    # vocabulary of 300 cost a third of the recall of 1,000; on real spam, whose campaigns each
    # name their own firms, sites and products, no cap labels best (see the KISA experiment).
    top_n: int | None = 1000
    min_count: int = 3
    # Nouns per candidate (CJ + 대한통운, 해외 + 선물) and characters per candidate.
    max_tokens: int = 3
    min_chars: int = 2
    # Nouns separated by one space form phrases ("해외 선물"), not only touching ones. Off by
    # default: such phrases are mostly a noun and its context ("휴대폰 번호 변경").
    join_spaced: bool = False
    # Pseudo-messages added to every rate, so unseen background terms do not score infinitely.
    smoothing: float = 1.0
    # Slots (`PiiKind` names) whose nouns are never keywords: their values change between copies.
    excluded_slots: tuple[str, ...] = tuple(kind.value for kind in PiiKind)
    # Added to the baseline's stop nouns (carrier boilerplate, generic notice words) unless
    # `default_stop_words` is off.
    stop_words: tuple[str, ...] = ()
    default_stop_words: bool = True
    normalise: NormaliseConfig = field(default_factory=NormaliseConfig)
    # Processes for the analysis (each loads its own Kiwi), and messages per task.
    workers: int = 1
    chunk_size: int = 1000
    label: str = DEFAULT_LABEL

    def __post_init__(self) -> None:
        for name in ("excluded_slots", "stop_words"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if isinstance(self.normalise, Mapping):
            object.__setattr__(self, "normalise", NormaliseConfig(**self.normalise))
        for name in ("top_n", "min_count", "max_tokens", "min_chars", "workers", "chunk_size"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(
                    f"SilverConfig.{name} must be at least 1, got {getattr(self, name)}"
                )
        if self.smoothing <= 0:
            raise ValueError(f"SilverConfig.smoothing must be positive, got {self.smoothing}")
        known = {kind.value for kind in PiiKind}
        unknown = sorted(set(self.excluded_slots) - known)
        if unknown:
            raise ValueError(
                f"SilverConfig.excluded_slots: unknown slot kinds {unknown}; known: {sorted(known)}"
            )

    @property
    def all_stop_words(self) -> frozenset[str]:
        """The stop words in comparable form (`normalise_keyword`)."""
        defaults = DEFAULT_STOP_NOUNS if self.default_stop_words else frozenset()
        return frozenset(normalise_keyword(word) for word in (*defaults, *self.stop_words))

    def noun_settings(self) -> NounSettings:
        return NounSettings(
            normalise=self.normalise,
            excluded_slots=frozenset(PiiKind(name) for name in self.excluded_slots),
            stop_words=self.all_stop_words,
            join_spaced=self.join_spaced,
        )


class SilverLabeller:
    """Choose a keyword vocabulary on a corpus (`fit`), then tag messages with it (`label`)."""

    def __init__(self, config: SilverConfig | None = None) -> None:
        self.config = config if config is not None else SilverConfig()
        self._settings = self.config.noun_settings()
        self.vocabulary: list[ScoredTerm] = []
        # Rounded scores by term; None until `fit` has run.
        self._scores: dict[str, float] | None = None

    def background_counts(self, texts: Sequence[str]) -> TermCounts:
        """Candidate frequencies of ordinary text; compute once and pass to several `fit` calls
        of labellers with the same candidate settings (normalisation, slots, stop words)."""
        _check_texts(texts, "background")
        return count_terms(self._analyse(texts), self.config.max_tokens, self.config.min_chars)

    def fit(
        self,
        texts: Sequence[str],
        background: Sequence[str] | TermCounts,
        cluster_ids: Sequence[int] | None = None,
    ) -> SilverLabeller:
        """Choose the vocabulary: the corpus's `top_n` most distinctive candidates."""
        _check_texts(texts, "corpus")
        self._fit_nouns(self._analyse(texts), background, cluster_ids)
        return self

    def label(self, texts: Sequence[str]) -> list[LabelledMessage]:
        """Every message with a span on every occurrence of a vocabulary term, in input order."""
        _check_texts(texts, "corpus")
        return self._label_nouns(texts, self._analyse(texts))

    def fit_label(
        self,
        texts: Sequence[str],
        background: Sequence[str] | TermCounts,
        cluster_ids: Sequence[int] | None = None,
    ) -> list[LabelledMessage]:
        """`fit` then `label` on the same messages, analysing them only once."""
        _check_texts(texts, "corpus")
        nouns = self._analyse(texts)
        self._fit_nouns(nouns, background, cluster_ids)
        return self._label_nouns(texts, nouns)

    def _analyse(self, texts: Sequence[str]) -> list[MessageNouns]:
        return analyse_corpus(texts, self._settings, self.config.workers, self.config.chunk_size)

    def _fit_nouns(
        self,
        nouns: Sequence[MessageNouns],
        background: Sequence[str] | TermCounts,
        cluster_ids: Sequence[int] | None,
    ) -> None:
        check_cluster_ids(cluster_ids, len(nouns))
        if not isinstance(background, TermCounts):
            background = self.background_counts(background)
        config = self.config
        scored = score_terms(
            nouns,
            background,
            cluster_ids,
            max_tokens=config.max_tokens,
            min_chars=config.min_chars,
            min_count=config.min_count,
            smoothing=config.smoothing,
        )
        stop_words = config.all_stop_words
        self.vocabulary = [
            term for term in scored if term.keyword.replace(" ", "") not in stop_words
        ][: config.top_n]
        self._scores = {term.keyword: round(term.score, SCORE_DIGITS) for term in self.vocabulary}
        if self.vocabulary:
            logger.info("silver vocabulary: %d keywords", len(self.vocabulary))
        else:
            logger.warning(
                "silver vocabulary is empty: no candidate is in %d messages and more frequent "
                "than in the background",
                config.min_count,
            )

    def _label_nouns(
        self, texts: Sequence[str], nouns: Sequence[MessageNouns]
    ) -> list[LabelledMessage]:
        scores = self._scores
        if scores is None:
            raise RuntimeError("SilverLabeller has no vocabulary: call fit (or fit_label) first")
        messages = [
            self._labelled(text, found, scores) for text, found in zip(texts, nouns, strict=True)
        ]
        tagged = sum(bool(message.spans) for message in messages)
        logger.info("silver labels: %d of %d messages have keywords", tagged, len(messages))
        return messages

    def _labelled(
        self, text: str, nouns: MessageNouns, scores: Mapping[str, float]
    ) -> LabelledMessage:
        """Leftmost, longest vocabulary terms over the message's noun runs; never overlapping."""
        spans: list[Span] = []
        terms: list[str] = []
        first = 0
        while first < len(nouns):
            match = self._longest_term(nouns, first, scores)
            if match is None:
                first += 1
                continue
            last, term = match
            span = trim_span(Span(nouns[first].start, nouns[last - 1].end, self.config.label), text)
            # Normalisation can expand one source character into several (NFKC "㈜" -> "(주)"),
            # so two terms may map onto the same character; the first one keeps it.
            if span is not None and (not spans or span.start >= spans[-1].end):
                spans.append(span)
                terms.append(term)
            first = last
        meta = {KEYWORDS_META: terms, SCORES_META: [scores[term] for term in terms]}
        return LabelledMessage(text, tuple(spans), SOURCE, meta)

    def _longest_term(
        self, nouns: MessageNouns, first: int, scores: Mapping[str, float]
    ) -> tuple[int, str] | None:
        for last in range(run_end(nouns, first, self.config.max_tokens), first, -1):
            term = phrase_key(nouns, first, last)
            if term in scores:
                return last, term
        return None


def silver_label_file(
    corpus: str | Path,
    background: str | Path,
    output: str | Path,
    *,
    text_column: str = "text",
    background_column: str = "text",
    config: SilverConfig | None = None,
) -> list[ScoredTerm]:
    """Silver-label a corpus file or folder into JSONL (`write_labelled`); returns the vocabulary.

    Both corpora are read with the project's corpus readers (.txt, .jsonl, .csv, .tsv, optionally
    .gz), which name the file and line of malformed input and skip blank messages.
    """
    texts = [record["text"] for record in iter_records(corpus_parts(corpus), text_column)]
    background_texts = [
        record["text"] for record in iter_records(corpus_parts(background), background_column)
    ]
    labeller = SilverLabeller(config)
    write_labelled(labeller.fit_label(texts, background_texts), output)
    return labeller.vocabulary


def _check_texts(texts: Sequence[str], what: str) -> None:
    if isinstance(texts, str):
        raise TypeError(f"the {what} must be a sequence of messages, not one str")
    if not texts:
        raise ValueError(f"the {what} is empty")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{what} message {index} is a {type(text).__name__}, not a str")
        if not text.strip():
            raise ValueError(f"{what} message {index} is blank")


__all__ = [
    "SOURCE",
    "ScoredTerm",
    "SilverConfig",
    "SilverLabeller",
    "TermCounts",
    "silver_label_file",
]
