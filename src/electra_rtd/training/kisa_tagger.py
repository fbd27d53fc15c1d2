"""The real-message keyword tagger: hand labels on top of what the unlabelled dump can teach.

Three stages, each optional but the last, each starting from the previous one's weights:

1. RTD pretraining of the backbone on distinct KISA messages (``silver.pretrain_steps``);
2. fine-tuning on silver labels of those messages (``silver.tagging_steps``), which teaches
   the tagger what a keyword looks like across thousands of campaigns;
3. fine-tuning on the hand-labelled train split (``data=kisa_labels``), the weights chosen on
   the dev split, scored on the test split.

The messages of stages 1 and 2 leave out the held-out day, every text recurring from it, and the
hand-labelled dev and test messages with their recurrences. Finally the keyword scores are
calibrated on the dev split (`calibration`), saved beside the exported model.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from omegaconf import DictConfig, open_dict

from electra_rtd.corpus_tools.keyword_norm import plain_keyword
from electra_rtd.data.labelled import LabelledMessage
from electra_rtd.data.tagging_sets import load_tagging_splits
from electra_rtd.tagging import KeywordTagger
from electra_rtd.tagging.calibration import expected_calibration_error, fit_calibration
from electra_rtd.training.finetune import finetune_tagger
from electra_rtd.training.silver_tagger import pretrain_backbone, read_messages, write_silver_labels

log = logging.getLogger(__name__)


def train_kisa_tagger(cfg: DictConfig, run_dir: Path) -> dict[str, float]:
    """Run the stages that are switched on; returns the hand-labelled test scores."""
    silver = cfg.silver
    if silver.pretrain_steps or silver.tagging_steps:
        texts = read_messages(silver)
        if silver.pretrain_steps:
            with open_dict(cfg):
                cfg.model.path = str(pretrain_backbone(cfg, texts, run_dir / "pretrain"))
        if silver.tagging_steps:
            with open_dict(cfg):
                cfg.model.path = str(silver_stage(cfg, texts, run_dir / "silver"))
    metrics = finetune_tagger(cfg, run_dir)
    model_dir = run_dir / "export" / "model"
    dev = load_tagging_splits(cfg.data)["dev"]
    metrics.update(calibrate(model_dir, dev, cfg))
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    return metrics


def silver_stage(cfg: DictConfig, texts: list[str], out_dir: Path) -> Path:
    """Fine-tune ``cfg.model`` on silver labels of ``texts``; the exported tagger's folder."""
    silver_file = write_silver_labels(cfg, texts, out_dir)
    stage = cfg.copy()
    with open_dict(stage):
        stage.data = {
            "source": "files",
            "path": str(silver_file),
            "split": [0.9, 0.05, 0.05],
            "split_seed": 0,
            "max_length": cfg.data.max_length,
            "stride": cfg.data.get("stride"),
            "on_error": "warn",
        }
        stage.trainer.max_steps = cfg.silver.tagging_steps
        stage.tagging.eval_every = cfg.silver.tagging_steps  # once, at the end
        stage.tagging.select_metric = "span_f1"
        stage.tagging.keyword_form = "surface"
    finetune_tagger(stage, out_dir)
    return out_dir / "export" / "model"


def keyword_outcomes(
    tagger: KeywordTagger, messages: list[LabelledMessage]
) -> tuple[list[float], list[bool]]:
    """Each predicted keyword's score and whether its plain form is among the message's gold."""
    scores, correct = [], []
    for message, keywords in zip(messages, tagger.extract([m.text for m in messages]), strict=True):
        gold = {plain_keyword(surface) for surface in message.keywords}
        for keyword in keywords:
            scores.append(keyword.score)
            correct.append(plain_keyword(keyword.text) in gold)
    return scores, correct


def calibrate(model_dir: Path, dev: list[LabelledMessage], cfg: DictConfig) -> dict[str, float]:
    """Fit the score calibration on dev and save it beside the model; its error before/after."""
    tagger = KeywordTagger.from_pretrained(
        model_dir, max_length=cfg.data.max_length, stride=cfg.data.get("stride")
    )
    tagger.calibration = None  # fit on raw scores, even if a calibration is there already
    scores, correct = keyword_outcomes(tagger, dev)
    calibration = fit_calibration(
        scores, correct, fitted_on=f"dev: {len(dev)} messages, {len(scores)} keywords"
    )
    calibration.save(model_dir)
    after = [calibration(score) for score in scores]
    errors = {
        "dev_calibration_error_raw": expected_calibration_error(scores, correct),
        "dev_calibration_error": expected_calibration_error(after, correct),
    }
    log.info("calibrated keyword scores on dev: %s", errors)
    return errors
