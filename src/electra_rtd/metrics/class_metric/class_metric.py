"""`evaluate` metric for text classification, loaded offline by path (``load_class_metric``).

As the keyword metric beside it: evaluate copies only this file into its module cache, so the
scores are imported from the installed ``electra_rtd`` package (one implementation of them).
"""

import datasets
import evaluate

from electra_rtd.metrics.class_scores import class_scores

_DESCRIPTION = """Text-classification scores: accuracy and macro precision / recall / F1 over
class ids 0 .. n_classes - 1. See electra_rtd.metrics.class_scores."""

_INPUTS_DESCRIPTION = """
Args:
    predictions: the predicted class id of each text.
    references: the gold class id of each text.
    n_classes: how many classes there are (each counts in the macro average).
Returns:
    accuracy, macro_precision, macro_recall, macro_f1 and n_messages.
"""


class ClassMetric(evaluate.Metric):
    """Thin wrapper: evaluate gathers batches (and processes); ``class_scores`` scores them."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
        )

    def _compute(
        self, predictions: list[int], references: list[int], n_classes: int
    ) -> dict[str, float]:
        return class_scores(predictions, references, n_classes)
