"""Keyword baseline with a corpus statistic: each message's top-k nouns by TF-IDF.

Unlike `KiwiNounExtractor`, which keeps every noun, this ranks a message's nouns by how much more
often they occur in it than across a reference corpus, and keeps a fixed number. It measures how
far "distinctive nouns" alone get, without any labelled data.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence

from electra_rtd.baselines.kiwi_nouns import KiwiNounExtractor
from electra_rtd.text.spans import Span, normalise_keyword

logger = logging.getLogger(__name__)

DEFAULT_TOP_K = 3


class TfidfTopK:
    """The ``k`` nouns of each message with the highest TF-IDF, as spans of every occurrence.

    Candidates are the noun spans of a `KiwiNounExtractor` (same tags, compounds and stop nouns),
    compared as `normalise_keyword` strings. Scores use scikit-learn's smoothed IDF,
    ``ln((1 + n) / (1 + df)) + 1``, so a noun never seen in the fitted corpus counts as rarer than
    any seen one. Ties go to the noun that occurs first. Every occurrence of a chosen noun is
    returned, not just the first: the gold labels mark each occurrence of a keyword.
    """

    def __init__(self, k: int = DEFAULT_TOP_K, nouns: KiwiNounExtractor | None = None) -> None:
        """``nouns`` supplies the candidates (a default `KiwiNounExtractor` when omitted)."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        self.k = k
        self.nouns = nouns if nouns is not None else KiwiNounExtractor()
        self.name = f"tfidf_top{k}"
        self._document_frequency: Counter[str] | None = None
        self._n_documents = 0

    def fit(self, texts: Sequence[str]) -> TfidfTopK:
        """Count in how many of ``texts`` each candidate noun occurs."""
        if not texts:
            raise ValueError("TfidfTopK.fit needs at least one text")
        frequency: Counter[str] = Counter()
        for text, spans in zip(texts, self.nouns.extract(texts), strict=True):
            frequency.update({normalise_keyword(text[s.start : s.end]) for s in spans})
        self._document_frequency = frequency
        self._n_documents = len(texts)
        logger.info("TF-IDF fitted on %d texts, %d distinct nouns", len(texts), len(frequency))
        return self

    def extract(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans of the top-k nouns of each text, in text order."""
        if self._document_frequency is None:
            raise RuntimeError("TfidfTopK.extract called before fit: fit it on a corpus first")
        return [
            self._top_spans(text, spans)
            for text, spans in zip(texts, self.nouns.extract(texts), strict=True)
        ]

    def idf(self, noun: str) -> float:
        """Smoothed inverse document frequency of a (normalised) noun in the fitted corpus."""
        if self._document_frequency is None:
            raise RuntimeError("TfidfTopK.idf called before fit: fit it on a corpus first")
        df = self._document_frequency[noun]
        return math.log((1 + self._n_documents) / (1 + df)) + 1

    def _top_spans(self, text: str, spans: list[Span]) -> list[Span]:
        words = [normalise_keyword(text[s.start : s.end]) for s in spans]
        term_frequency = Counter(words)
        first_seen = {word: i for i, word in reversed(list(enumerate(words)))}
        ranked = sorted(
            term_frequency,
            key=lambda word: (-term_frequency[word] * self.idf(word), first_seen[word]),
        )
        chosen = set(ranked[: self.k])
        return [span for span, word in zip(spans, words, strict=True) if word in chosen]
