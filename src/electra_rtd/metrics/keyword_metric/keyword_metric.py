"""`evaluate` metric for keyword tagging, loaded offline by path (``load_keyword_metric``).

evaluate's loader copies only this file into its module cache and imports it from there, so a
relative import of the scoring code would break. It imports from the installed ``electra_rtd``
package instead (evaluate checks such library imports with ``importlib`` and copies nothing):
there is one implementation of the scores, and the cached copy of this file cannot go stale when
they change.
"""

import datasets
import evaluate

from electra_rtd.metrics.keyword_scores import score_keywords

_DESCRIPTION = """Keyword-tagging scores: strict span P/R/F1 (seqeval-compatible), per-message
keyword-set P/R/F1 (macro and micro) and character-overlap P/R/F1. See
electra_rtd.metrics.keyword_scores for the definitions and the empty-case rule."""

_INPUTS_DESCRIPTION = """
Args:
    predictions: per message, a list of {"start": int, "end": int, "label": str} character spans
        (``end`` exclusive).
    references: the gold spans, in the same form.
    texts: the messages, one string each.
Returns:
    span_*, kwset_*, kwset_micro_* and partial_* precision / recall / f1, and n_messages.
"""

_SPANS = datasets.List(
    {
        "start": datasets.Value("int32"),
        "end": datasets.Value("int32"),
        "label": datasets.Value("string"),
    }
)


class KeywordMetric(evaluate.Metric):
    """Thin wrapper: evaluate gathers batches (and processes); ``score_keywords`` scores them."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": _SPANS, "references": _SPANS, "texts": datasets.Value("string")}
            ),
        )

    def _compute(
        self, predictions: list[list[dict]], references: list[list[dict]], texts: list[str]
    ) -> dict[str, float]:
        return score_keywords(predictions, references, texts)
