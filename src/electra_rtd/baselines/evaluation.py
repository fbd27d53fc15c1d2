"""Score the unsupervised baselines on a test split, with the tagger's metrics and their speed."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Protocol

from kiwipiepy import Kiwi

from electra_rtd.baselines.kiwi_nouns import KiwiNounExtractor
from electra_rtd.baselines.tfidf import DEFAULT_TOP_K, TfidfTopK
from electra_rtd.metrics import score_keywords
from electra_rtd.metrics.keyword_scores import MessageSpans
from electra_rtd.text.spans import Span

logger = logging.getLogger(__name__)


class KeywordExtractor(Protocol):
    """What a baseline offers: fit on unlabelled texts, then keyword spans per text."""

    name: str

    def fit(self, texts: Sequence[str]) -> KeywordExtractor: ...

    def extract(self, texts: Sequence[str]) -> list[list[Span]]: ...


def evaluate_baselines(
    train_texts: Sequence[str],
    test_texts: Sequence[str],
    test_spans: Sequence[MessageSpans],
    *,
    top_k: int = DEFAULT_TOP_K,
    kiwi: Kiwi | None = None,
) -> dict[str, dict[str, float]]:
    """`score_keywords` of each baseline on the test split, plus its speed, keyed by its name.

    Each baseline is fitted on ``train_texts`` (labels are never needed). ``test_spans`` are the
    gold spans in any form `score_keywords` takes. Beside the scores, ``fit_seconds`` and
    ``messages_per_second`` (extraction over the test texts, Kiwi's analysis included) are given.
    Kiwi is warmed up first: its first analysis spends over a second initialising, which would
    otherwise be charged to whichever baseline runs first.
    """
    kiwi = kiwi if kiwi is not None else Kiwi()
    kiwi.tokenize("")
    nouns = KiwiNounExtractor(kiwi)
    baselines: list[KeywordExtractor] = [nouns, TfidfTopK(top_k, nouns)]
    return {
        baseline.name: _evaluate(baseline, train_texts, test_texts, test_spans)
        for baseline in baselines
    }


def _evaluate(
    baseline: KeywordExtractor,
    train_texts: Sequence[str],
    test_texts: Sequence[str],
    test_spans: Sequence[MessageSpans],
) -> dict[str, float]:
    started = time.perf_counter()
    baseline.fit(train_texts)
    fitted = time.perf_counter()
    predictions = baseline.extract(test_texts)
    extracted = time.perf_counter()
    scores = score_keywords(predictions, test_spans, test_texts)
    scores["fit_seconds"] = fitted - started
    scores["messages_per_second"] = len(test_texts) / max(extracted - fitted, 1e-9)
    logger.info(
        "%s: span_f1=%.3f kwset_f1=%.3f partial_f1=%.3f at %.0f messages/s",
        baseline.name,
        scores["span_f1"],
        scores["kwset_f1"],
        scores["partial_f1"],
        scores["messages_per_second"],
    )
    return scores
