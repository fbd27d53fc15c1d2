"""Scores for keyword tagging, as plain functions and as an offline `evaluate` module."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from electra_rtd.metrics.keyword_scores import (
    PRF,
    KeywordSetScores,
    char_overlap_scores,
    keyword_set_scores,
    prf_from_counts,
    score_keywords,
    strict_span_scores,
)

if TYPE_CHECKING:
    import evaluate

__all__ = [
    "PRF",
    "KeywordSetScores",
    "char_overlap_scores",
    "keyword_set_scores",
    "load_keyword_metric",
    "prf_from_counts",
    "score_keywords",
    "strict_span_scores",
]


def load_keyword_metric(**load_kwargs: Any) -> evaluate.EvaluationModule:
    """The keyword metric as an `evaluate` module, loaded from this package's file, never the hub.

    ``load_kwargs`` go to ``evaluate.load`` (``keep_in_memory``, ``cache_dir``, ``experiment_id``,
    ``num_process``/``process_id`` ...). A local path makes evaluate copy the file into its module
    cache and import it; it makes no network call, so this works with ``HF_HUB_OFFLINE=1``.
    """
    import evaluate  # deferred: it pulls in datasets and pandas, which plain scoring never needs

    module_file = resources.files(__package__) / "keyword_metric" / "keyword_metric.py"
    with resources.as_file(module_file) as path:
        return evaluate.load(str(path), **load_kwargs)
