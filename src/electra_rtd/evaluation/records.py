"""The entries of results.json: one per fine-tuned run, saved model or unsupervised baseline.

Every entry has ``task``, ``backbone``, ``mode``, ``seed`` and ``kind`` (``tagger``,
``classifier`` or ``baseline``) and a flat ``metrics`` dict, the numbers the report averages;
model entries add the inference details.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from electra_rtd.data.labelled import LabelledMessage
from electra_rtd.evaluation.inference import InferenceStats


def model_record(
    task: str,
    backbone: str,
    mode: str,
    seed: int | None,
    metrics: Mapping[str, float],
    stats: InferenceStats,
    **context: Any,
) -> dict[str, Any]:
    """A fine-tuned model's entry: identity, every metric plus speed and memory, and ``context``
    (for a suite run: its folder and the overrides that repeat it)."""
    return {
        "task": task,
        "backbone": backbone,
        "mode": mode,
        "seed": seed,
        "kind": stats.kind,
        **context,
        "metrics": {
            **metrics,
            "messages_per_second": stats.messages_per_second,
            "peak_memory_mb": stats.peak_memory_mb,
        },
        "inference": asdict(stats),
    }


def baseline_records(
    task: str, train: Sequence[LabelledMessage], test: Sequence[LabelledMessage]
) -> list[dict[str, Any]]:
    """The unsupervised extractors on a keyword task's split: fitted on the train texts,
    scored on test.

    Their speed is measured in this process by `evaluate_baselines` (no memory figure); their
    fitting time goes where a tagger's fine-tuning time goes.
    """
    from electra_rtd.baselines import evaluate_baselines  # loads Kiwi: only when asked for

    results = evaluate_baselines(
        [m.text for m in train], [m.text for m in test], [list(m.spans) for m in test]
    )
    records = []
    for name, scores in results.items():
        scores = dict(scores)
        metrics = {
            "train_seconds": scores.pop("fit_seconds"),
            "messages_per_second": scores.pop("messages_per_second"),
        }
        metrics.update({f"test_{key}": value for key, value in scores.items()})
        record = {
            "task": task,
            "backbone": name,
            "mode": "unsupervised",
            "seed": None,
            "kind": "baseline",
        }
        records.append({**record, "metrics": metrics})
    return records


def inference_settings(records: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """How speed and memory were measured, for the report's header (from the first tagger)."""
    measured = [r["inference"] for r in records if "inference" in r]
    if not measured:
        return {}
    first = measured[0]
    where = "a fresh process per model" if first["isolated"] else "the evaluate process"
    return {
        "inference": f"{first['device']}, {first['threads']} threads, batch "
        f"{first['batch_size']}, one timed pass over the test texts after a one-batch warm-up",
        "peak memory": f"{first['memory_measure']}, measured in {where}",
    }
