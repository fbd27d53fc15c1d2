"""Unsupervised keyword extractors, scored like the neural tagger so its gain can be measured.

Both take ``fit(texts)`` then ``extract(texts) -> list[list[Span]]`` (character spans into the
original texts, label ``"KW"``); `evaluate_baselines` runs them on a split.
"""

from electra_rtd.baselines.evaluation import KeywordExtractor, evaluate_baselines
from electra_rtd.baselines.kiwi_nouns import DEFAULT_STOP_NOUNS, DEFAULT_TAGS, KiwiNounExtractor
from electra_rtd.baselines.tfidf import DEFAULT_TOP_K, TfidfTopK

__all__ = [
    "DEFAULT_STOP_NOUNS",
    "DEFAULT_TAGS",
    "DEFAULT_TOP_K",
    "KeywordExtractor",
    "KiwiNounExtractor",
    "TfidfTopK",
    "evaluate_baselines",
]
