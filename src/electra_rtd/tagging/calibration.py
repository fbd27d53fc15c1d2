"""Keyword scores that mean what they say: a score of 0.8 is right about 80% of the time.

A tagger's raw score (the mean probability of its tags over a span) is over-confident after a few
thousand updates on a small labelled set. An isotonic map from raw score to the share of keywords
that were right, fitted on the dev split, fixes that without changing the order of keywords; it
is saved as ``calibration.json`` beside the model and applied by `KeywordTagger` when present.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

CALIBRATION_FILE = "calibration.json"


@dataclass(frozen=True)
class Calibration:
    """A monotone piecewise-linear map from raw score to the observed share of right keywords."""

    raw: tuple[float, ...]
    calibrated: tuple[float, ...]
    fitted_on: str = ""  # what it was fitted on, e.g. "dev: 312 messages, 905 keywords"

    def __call__(self, score: float) -> float:
        return float(np.interp(score, self.raw, self.calibrated))

    def save(self, model_dir: str | Path) -> Path:
        path = Path(model_dir) / CALIBRATION_FILE
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, model_dir: str | Path) -> Calibration | None:
        """The calibration saved beside a model, or None when it has none."""
        path = Path(model_dir) / CALIBRATION_FILE
        if not path.is_file():
            return None
        fields = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(fields["raw"]), tuple(fields["calibrated"]), fields.get("fitted_on", ""))


def fit_calibration(
    scores: Sequence[float], correct: Sequence[bool], fitted_on: str
) -> Calibration:
    """Isotonic regression of correctness on raw score (needs both right and wrong keywords)."""
    from sklearn.isotonic import IsotonicRegression

    if len(scores) != len(correct) or len(set(correct)) < 2:
        raise ValueError("calibration needs scores of both right and wrong keywords")
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    model.fit(np.asarray(scores, dtype=float), np.asarray(correct, dtype=float))
    return Calibration(
        tuple(float(x) for x in model.X_thresholds_),
        tuple(float(y) for y in model.y_thresholds_),
        fitted_on,
    )


class ReliabilityBin(NamedTuple):
    """Keywords whose score fell in ``[low, high)``: their mean score and the share that was right."""

    low: float
    high: float
    mean_score: float
    share_right: float
    count: int


def reliability_bins(
    scores: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> list[ReliabilityBin]:
    """The reliability diagram's points: one per score bin that holds any keyword."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    scores_array = np.asarray(scores, dtype=float)
    right = np.asarray(correct, dtype=float)
    which = np.clip(np.digitize(scores_array, edges[1:-1]), 0, bins - 1)
    return [
        ReliabilityBin(
            float(edges[index]),
            float(edges[index + 1]),
            float(scores_array[which == index].mean()),
            float(right[which == index].mean()),
            int((which == index).sum()),
        )
        for index in range(bins)
        if (which == index).any()
    ]


def expected_calibration_error(scores: Sequence[float], correct: Sequence[bool]) -> float:
    """The count-weighted gap between mean score and share right over ten bins."""
    points = reliability_bins(scores, correct)
    total = sum(point.count for point in points)
    return sum(p.count * abs(p.mean_score - p.share_right) for p in points) / max(total, 1)
