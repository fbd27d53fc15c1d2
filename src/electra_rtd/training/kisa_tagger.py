"""The real-message keyword tagger: hand labels on top of what the unlabelled dump can teach.

Three stages, each optional but the last, each starting from the previous one's weights:

1. RTD pretraining of the backbone on distinct KISA messages (``silver.pretrain_steps``);
2. fine-tuning on silver labels of those messages (``silver.tagging_steps``), which teaches
   the tagger what a keyword looks like across thousands of campaigns;
3. learning from the hand-labelled train split (``data=kisa_labels``), chosen on the dev split,
   scored on the test split, in one of two designs (``design``): ``ranker`` (the default, best
   on dev) fits a candidate ranker (`electra_rtd.tagging.ranker`) on a tagger's token scores:
   the stage-2 tagger's, or with ``ranker.cross_fit_steps`` those of two copies of it
   fine-tuned on the hand labels, each on one half of the train split (`cross_fitted_scores`);
   ``tagger`` fine-tunes the token tagger itself on the hand labels.

The messages of stages 1 and 2 leave out the held-out day, every text recurring from it, and the
hand-labelled dev and test messages with their recurrences. Finally the keyword scores are
calibrated on the dev split (`calibration`), saved beside the exported model.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, open_dict

from electra_rtd.data.labelled import LabelledMessage
from electra_rtd.data.tagging_sets import load_tagging_splits
from electra_rtd.data.windows import AUTO, Stride
from electra_rtd.metrics.pretraining import metrics_block
from electra_rtd.schema import LabelledSetConfig
from electra_rtd.tagging import KeywordTagger
from electra_rtd.tagging.calibration import expected_calibration_error, fit_calibration
from electra_rtd.tagging.extractor import TokenScores
from electra_rtd.tagging.ranker import fit_ranker
from electra_rtd.tagging.scoring import score_tagger
from electra_rtd.text.keyword_norm import plain_keyword
from electra_rtd.training.finetune import finetune_tagger
from electra_rtd.training.model_card import write_model_card
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
    splits = load_tagging_splits(cfg.data)  # the hand labels, joined with the corpus once
    if cfg.design == "ranker":
        metrics = rank_candidates(cfg, run_dir, splits)
    else:
        metrics = finetune_tagger(cfg, run_dir)
    model_dir = run_dir / "export" / "model"
    metrics.update(calibrate(model_dir, splits["dev"], **reading_options(cfg)))
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    write_model_card(model_dir, cfg, metrics)
    return metrics


def reading_options(cfg: DictConfig) -> dict[str, Any]:
    """How every tagger of this job reads a message: its windows, as the data config cuts them."""
    return {"max_length": cfg.data.max_length, "stride": cfg.data.stride}


def rank_candidates(
    cfg: DictConfig, run_dir: Path, splits: dict[str, list[LabelledMessage]]
) -> dict[str, float]:
    """Stage 3 as a candidate ranker (`tagging.ranker`) on the token scores of the stage-2
    tagger or of its cross-fitted copies: fitted on the hand-labelled train split, its threshold
    chosen on dev, scored on test. The tagger whose scores it reads and the ranker are exported
    together, so `KeywordTagger` decodes with the ranker."""
    if not cfg.model.get("path"):
        raise ValueError("design=ranker reads a trained tagger: set silver.tagging_steps > 0")
    started = time.perf_counter()
    encoder, train_scores = Path(cfg.model.path), None
    if cfg.ranker.cross_fit_steps:
        encoder, train_scores = cross_fitted_scores(cfg, run_dir / "cross_fit", splits)
    export = run_dir / "export" / "model"
    shutil.copytree(encoder, export, dirs_exist_ok=True)
    options = reading_options(cfg)
    tagger = KeywordTagger.from_pretrained(export, decode="tags", **options)
    ranker = fit_ranker(
        tagger, splits["train"], splits["dev"], cfg.ranker.max_tokens, cfg.seed, train_scores
    )
    ranker.save(export)
    tagger = KeywordTagger.from_pretrained(export, **options)
    test = score_tagger(tagger, splits["test"], plain_keyword)
    dev = score_tagger(tagger, splits["dev"], plain_keyword)
    metrics = {f"test_{key}": value for key, value in test.items()}
    metrics.update(
        best_dev_kwset_f1=dev["kwset_f1"],
        ranker_threshold=ranker.threshold,
        train_seconds=time.perf_counter() - started,
    )
    log.info("test metrics\n%s", metrics_block(metrics))
    return metrics


def cross_fitted_scores(
    cfg: DictConfig, out_dir: Path, splits: dict[str, list[LabelledMessage]]
) -> tuple[Path, list[TokenScores]]:
    """Fine-tune the stage-2 tagger on the hand labels twice, each copy on one half of the train
    split (``ranker.cross_fit_steps`` updates, chosen on dev), and score each half with the copy
    that never saw its labels: the ranker then learns from scores like those the tagger gives
    new messages (on its own training messages a tagger is overconfident). The first copy is the
    encoder exported with the ranker; returns its folder and the train split's token scores."""
    train = splits["train"]
    if len(train) < 2:
        raise ValueError(f"cross-fitting needs two halves of the train split; it has {len(train)}")
    stage = cfg.copy()
    with open_dict(stage):
        stage.trainer.max_steps = cfg.ranker.cross_fit_steps
    copies = []
    for half in (0, 1):
        half_splits = {**splits, "train": train[half::2]}
        finetune_tagger(stage, out_dir / f"half_{half}", half_splits)
        copies.append(out_dir / f"half_{half}" / "export" / "model")
    scores: list[TokenScores | None] = [None] * len(train)
    options = reading_options(cfg)
    for half, copy in enumerate(copies):
        tagger = KeywordTagger.from_pretrained(copy, decode="tags", **options)
        # Each copy scores the other half's messages, the ones it never learnt from.
        scores[1 - half :: 2] = tagger.token_scores([m.text for m in train[1 - half :: 2]])
    return copies[0], scores


def silver_stage(cfg: DictConfig, texts: list[str], out_dir: Path) -> Path:
    """Fine-tune ``cfg.model`` on silver labels of ``texts``; the exported tagger's folder."""
    silver_file = write_silver_labels(cfg, texts, out_dir)
    stage = cfg.copy()
    with open_dict(stage):
        stage.data = LabelledSetConfig(
            source="files",
            path=str(silver_file),
            split=[0.9, 0.05, 0.05],
            split_seed=0,
            on_error="warn",
            **reading_options(cfg),
        )
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


def calibrate(
    model_dir: Path, dev: list[LabelledMessage], max_length: int = 128, stride: Stride = AUTO
) -> dict[str, float]:
    """Fit the score calibration on dev and save it beside the model; its error before/after.

    A tagger whose dev keywords are all right or all wrong (or that finds none) gets no
    calibration, with a warning: there is nothing to fit.
    """
    tagger = KeywordTagger.from_pretrained(model_dir, max_length=max_length, stride=stride)
    tagger.calibration = None  # fit on raw scores, even if a calibration is there already
    scores, correct = keyword_outcomes(tagger, dev)
    if len(set(correct)) < 2:
        log.warning(
            "scores not calibrated: on dev the tagger's %d keywords are all %s",
            len(scores),
            "right" if all(correct) else "wrong",
        )
        return {}
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
