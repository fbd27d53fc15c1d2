"""Score a saved tagger on a labelled file: the same numbers as a suite run, with no training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from omegaconf import DictConfig

from electra_rtd.data.labelled import read_labelled
from electra_rtd.evaluation.inference import measure_inference
from electra_rtd.evaluation.records import inference_settings, model_record
from electra_rtd.evaluation.report import Evaluation
from electra_rtd.models.electra import count_parameters
from electra_rtd.tagging import KeywordTagger, load_tagging_model
from electra_rtd.tagging.scoring import score_tagger


def score_saved_model(cfg: DictConfig, out_dir: Path) -> Evaluation:
    """Scores of ``evaluate.model_dir`` on every message of ``evaluate.labelled``, speed, memory."""
    settings = cfg.evaluate
    if not settings.get("labelled"):
        raise ValueError("evaluate.model_dir needs evaluate.labelled=FILE (JSONL or BIO) to score")
    model_dir, labelled = Path(settings.model_dir), Path(settings.labelled)
    messages = read_labelled(labelled, on_error=settings.on_error)
    texts = [message.text for message in messages]
    inference = settings.inference

    # Loaded by hand rather than with KeywordTagger.from_pretrained to count its parameters.
    model, tokenizer, tags = load_tagging_model(model_dir)
    device = inference.get("device") or ("cuda" if torch.cuda.is_available() else "cpu")
    tagger = KeywordTagger(
        model.to(device),
        tokenizer,
        tags,
        batch_size=inference.batch_size,
        max_length=settings.max_length,
    )
    metrics: dict[str, Any] = {f"test_{k}": v for k, v in score_tagger(tagger, messages).items()}
    metrics["parameters"] = count_parameters(model)
    stats = measure_inference(
        model_dir,
        texts,
        batch_size=inference.batch_size,
        max_length=settings.max_length,
        threads=settings.get("torch_threads"),
        device=inference.get("device"),
        isolated=inference.isolated,
        output=out_dir / "inference.json",
    )
    record = model_record(labelled.stem, str(model_dir), "saved", None, metrics, stats)
    info = {
        "model": str(model_dir),
        "labelled file": str(labelled),
        "test messages": len(messages),
        **inference_settings([record]),
    }
    return Evaluation(f"Saved tagger on {labelled.name}", [record], info)
