"""Keyword-tagging fine-tuning end to end: full and LoRA, exports, plain-transformers loading."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_pretrain import compose_cfg
from transformers import AutoModelForTokenClassification, pipeline

from electra_rtd.baselines import evaluate_baselines
from electra_rtd.data.tagging_sets import load_tagging_splits
from electra_rtd.models.electra import WeightsNotFoundError
from electra_rtd.tagging import KeywordTagger
from electra_rtd.tasks import run_task

FAST = [
    "+experiment=keyword_tagging",
    "logger=none",
    "data.num_messages=800",
    "model.vocab_size=1200",
    "trainer.batch_size=16",
    "trainer.max_steps=20",
    "tagging.eval_every=10",
]


def test_full_finetuning_exports_a_tagger_plain_transformers_can_load(tmp_path: Path) -> None:
    metrics = run_task(compose_cfg(*FAST), tmp_path / "run")

    assert json.loads((tmp_path / "run" / "metrics.json").read_text()) == metrics
    assert 0.0 <= metrics["test_span_f1"] <= 1.0 and metrics["test_n_messages"] > 0
    assert metrics["best_step"] in (10, 20)
    export = tmp_path / "run" / "export" / "model"
    model = AutoModelForTokenClassification.from_pretrained(export)
    assert model.config.id2label == {0: "O", 1: "B-KW", 2: "I-KW"}
    keywords = KeywordTagger.from_pretrained(export).extract(["택배가 도착했습니다", ""])
    assert len(keywords) == 2 and keywords[1] == []
    tagger = pipeline("token-classification", model=str(export), aggregation_strategy="simple")
    assert isinstance(tagger("CJ대한통운 택배 배송 완료"), list)
    card = (export / "README.md").read_text(encoding="utf-8")
    assert "pipeline_tag: token-classification" in card
    score = re.escape(f"{metrics['test_span_f1']:.4g}")
    assert re.search(rf"\n  test_span_f1 +=  *{score}\n", card)
    assert "KeywordTagger.from_pretrained" in card
    assert not list(export.glob("*.bin")), "weights are safetensors"


def test_lora_saves_an_adapter_and_a_merged_model(tmp_path: Path) -> None:
    metrics = run_task(
        compose_cfg(*FAST, "tagging.mode=lora", "tagging.lora.r=4"), tmp_path / "run"
    )
    export = tmp_path / "run" / "export"
    adapter = json.loads((export / "adapter" / "adapter_config.json").read_text())
    assert adapter["r"] == 4 and adapter["task_type"] == "TOKEN_CLS"
    merged = AutoModelForTokenClassification.from_pretrained(export / "model")
    assert not any("lora" in name for name, _ in merged.named_parameters())
    assert metrics["parameters"] == sum(p.numel() for p in merged.parameters())


def test_tagging_from_a_pretrained_export(tmp_path: Path) -> None:
    """model.path = an RTD export: its tokenizer and encoder weights are used."""
    pretrain = compose_cfg(
        "+experiment=rtd_pretrain", "model=tiny", "logger=none", "corpus.num_messages=600", "corpus.eval_size=100",
        "model.vocab_size=1200", "trainer.batch_size=16", "trainer.max_steps=3", "trainer.save_every=0",
    )  # fmt: skip
    run_task(pretrain, tmp_path / "pretrain")
    discriminator = tmp_path / "pretrain" / "export" / "discriminator"
    metrics = run_task(compose_cfg(*FAST, f"model.path={discriminator}"), tmp_path / "tag")
    assert metrics["test_n_messages"] > 0
    assert not (tmp_path / "tag" / "tokenizer").exists(), "trained a tokenizer despite model.path"


def test_koelectra_backbone_offline_fails_at_once(tmp_path: Path) -> None:
    with pytest.raises(WeightsNotFoundError, match="koelectra-base-v3-discriminator"):
        run_task(compose_cfg(*FAST, "model=koelectra_base_v3"), tmp_path / "run")


@pytest.mark.slow
def test_tiny_tagger_beats_the_unsupervised_baselines(tmp_path: Path) -> None:
    """On the same synthetic test split, a briefly trained tiny tagger finds keywords better than
    kiwipiepy nouns and TF-IDF top-k (keyword-set F1)."""
    cfg = compose_cfg(
        "+experiment=keyword_tagging", "logger=none", "data.num_messages=2000",
        "trainer.max_steps=250", "tagging.eval_every=125",
    )  # fmt: skip
    metrics = run_task(cfg, tmp_path / "run")
    splits = load_tagging_splits(cfg.data)
    baselines = evaluate_baselines(
        [m.text for m in splits["train"]],
        [m.text for m in splits["test"]],
        [list(m.spans) for m in splits["test"]],
    )
    best_baseline = max(scores["kwset_f1"] for scores in baselines.values())
    assert metrics["test_n_messages"] == len(splits["test"])
    assert metrics["test_kwset_f1"] > best_baseline, (metrics["test_kwset_f1"], baselines)
