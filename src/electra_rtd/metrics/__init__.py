"""Scores for keyword tagging and text classification, as plain functions and as offline
`evaluate` modules."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from electra_rtd.metrics.class_scores import class_scores
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
    "class_scores",
    "keyword_set_scores",
    "load_class_metric",
    "load_keyword_metric",
    "prf_from_counts",
    "score_keywords",
    "strict_span_scores",
]


def load_keyword_metric(**load_kwargs: Any) -> evaluate.EvaluationModule:
    """The keyword metric as an `evaluate` module (see `load_local_metric`)."""
    return load_local_metric("keyword_metric", **load_kwargs)


def load_class_metric(**load_kwargs: Any) -> evaluate.EvaluationModule:
    """The text-classification metric as an `evaluate` module (see `load_local_metric`)."""
    return load_local_metric("class_metric", **load_kwargs)


def load_local_metric(name: str, **load_kwargs: Any) -> evaluate.EvaluationModule:
    """The metric ``name`` of this package as an `evaluate` module, loaded from its file, never
    the hub.

    ``load_kwargs`` go to ``evaluate.load`` (``keep_in_memory``, ``cache_dir``, ``experiment_id``,
    ``num_process``/``process_id`` ...). A local path makes evaluate copy the file into its module
    cache and import it; it makes no network call, so this works with ``HF_HUB_OFFLINE=1``.
    """
    import evaluate  # deferred: it pulls in datasets and pandas, which plain scoring never needs

    module_file = resources.files(__package__) / name / f"{name}.py"
    with resources.as_file(module_file) as path:
        return evaluate.load(str(path), **load_kwargs)
