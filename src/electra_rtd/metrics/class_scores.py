"""Scores for text classification: accuracy and macro-averaged precision, recall and F1.

Accuracy is what NSMC results report; macro F1 (each class's F1 averaged with equal weight) is
what KoELECTRA reports for Korean hate speech, so a classifier that ignores the rare class
cannot score well by predicting the common one. Computed by scikit-learn; a class that is never
predicted scores precision 0 (``zero_division=0``), as in KoELECTRA's evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence


def class_scores(
    predictions: Sequence[int], references: Sequence[int], n_classes: int
) -> dict[str, float]:
    """``accuracy``, ``macro_precision``, ``macro_recall``, ``macro_f1`` over class ids
    ``0 .. n_classes - 1`` (every class counts in the macro average, even one absent from the
    references), and ``n_messages``."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references")
    if not references:
        raise ValueError("no texts to score")
    # Deferred: scikit-learn loads scipy (1.5 s), which keyword scoring never needs.
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    precision, recall, f1, _ = precision_recall_fscore_support(
        references, predictions, labels=list(range(n_classes)), average="macro", zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(references, predictions)),
        "macro_precision": float(precision),
        "macro_recall": float(recall),
        "macro_f1": float(f1),
        "n_messages": len(references),
    }
