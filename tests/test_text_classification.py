"""Text classification: the data configs read and split deterministically (on generated
stand-ins of the shared files), the scores are right, and fine-tuning a classifier overfits a
batch and exports a model that transformers' text-classification pipeline loads."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from test_keyword_metrics import no_network  # noqa: F401  (fixture)
from test_pretrain import compose_cfg
from transformers import AutoModelForSequenceClassification, pipeline

from conftest import SHARED_DATA, requires_shared_data
from electra_rtd.data.corpus import CorpusError
from electra_rtd.data.splits import exact_text_key
from electra_rtd.data.text_classes import (
    LabelledText,
    load_class_splits,
    read_text_classes,
    split_text_classes,
)
from electra_rtd.evaluation.inference import measure_inference
from electra_rtd.metrics import class_scores, load_class_metric
from electra_rtd.models.text_classifier import TextClassifier
from electra_rtd.schema import ConfigError, checked
from electra_rtd.tasks import run_task

GOOD = [
    "최고의 영화",
    "정말 재밌다",
    "감동 그 자체",
    "배우 연기 좋다",
    "또 보고 싶다",
    "음악이 좋다",
]
BAD = ["최악의 영화", "시간 아깝다", "지루하고 별로", "돈 아깝다", "다시는 안 본다", "졸렸다"]


def write_reviews(path: Path, n: int, seed: int = 0) -> Path:
    """An NSMC-shaped reviews.tsv: every fifth review neutral (rating 5-8), one exact copy
    that differs only in spacing, and one text rated both ways."""
    rng = random.Random(seed)
    rows, texts = ["review_id\tmovie_id\trating\tdate\treview"], []
    for i in range(n):
        kind = i % 5
        if kind == 4:
            rating, words = rng.choice("5678"), "그냥 그랬다"
        else:
            positive = kind % 2 == 0
            rating = rng.choice(["9", "10"]) if positive else rng.choice("1234")
            words = " ".join(rng.sample(GOOD if positive else BAD, 2))
        texts.append(f"{words} {i}")
        rows.append(f"{i}\t{i % 7}\t{rating}\t15.08.25\t{texts[-1]}")
    spaced_copy = texts[0].replace(" ", "   ")
    rows += [f"9001\t1\t10\t15.08.25\t{spaced_copy}", "9002\t1\t10\t15.08.25\t다 좋다"]
    rows.append("9003\t1\t1\t15.08.25\t다 좋다")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


HATE = ["none", "offensive", "hate", "none"]


def comment(i: int) -> str:
    return f"댓글 {i}번 {HATE[i % 4]}"


def write_comments(path: Path, n: int, offset: int = 0) -> Path:
    """A hate-speech-shaped train/dev TSV (comments, bias columns, hate label)."""
    rows = ["comments\tcontain_gender_bias\tbias\thate"]
    rows += [f"{comment(offset + i)}\tFalse\tnone\t{HATE[(offset + i) % 4]}" for i in range(n)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def data_cfg(name: str, *overrides: str):
    return checked(compose_cfg("+experiment=text_classification", f"data={name}", *overrides)).data


def test_nsmc_config_reads_ratings_as_the_original_and_splits_by_seed(tmp_path: Path) -> None:
    reviews = write_reviews(tmp_path / "reviews.tsv", 200)
    cfg = data_cfg("nsmc", f"data.path={reviews}", "data.sizes=[60,10,20]")
    splits = load_class_splits(cfg)
    assert {name: len(texts) for name, texts in splits.items()} == {
        "train": 60,
        "dev": 10,
        "test": 20,
    }
    for texts in splits.values():  # balanced as the original
        counts = Counter(t.label for t in texts)
        assert counts["negative"] == counts["positive"]
    every = [t for texts in splits.values() for t in texts]
    assert len({exact_text_key(t) for t in every}) == len(every)  # no text twice, nor across splits
    assert all("그냥 그랬다" not in t.text and t.text != "다 좋다" for t in every)
    # Deterministic: read again (a new config object), same splits; another seed, others.
    assert (
        load_class_splits(data_cfg("nsmc", f"data.path={reviews}", "data.sizes=[60,10,20]"))
        == splits
    )
    other = load_class_splits(
        data_cfg("nsmc", f"data.path={reviews}", "data.sizes=[60,10,20]", "data.split_seed=1")
    )
    assert other["test"] != splits["test"]


def test_reading_drops_neutral_values_copies_and_disagreeing_texts(tmp_path: Path) -> None:
    reviews = write_reviews(tmp_path / "reviews.tsv", 10)
    labels = {"negative": ["1", "2", "3", "4"], "positive": ["9", "10"]}
    texts = read_text_classes(reviews, "review", "rating", labels, drop=["5", "6", "7", "8"])
    # 10 reviews: 2 neutral; the spaced copy of review 0 and the text rated 10 and 1 are gone.
    assert len(texts) == 8
    assert Counter(t.label for t in texts) == {"positive": 4, "negative": 4}


def test_a_label_value_listed_nowhere_names_its_file_and_line(tmp_path: Path) -> None:
    reviews = write_reviews(tmp_path / "reviews.tsv", 10)
    labels = {"negative": ["1", "2", "3", "4"], "positive": ["9", "10"]}
    # Review 4 (line 6, after the header) is the first neutral one.
    with pytest.raises(CorpusError, match=r"reviews\.tsv:6: rating '[5-8]' is neither a class's"):
        read_text_classes(reviews, "review", "rating", labels)
    with pytest.raises(CorpusError, match=r"reviews\.tsv:1: no column 'stars'"):
        read_text_classes(reviews, "review", "stars", labels)
    with pytest.raises(ValueError, match="listed under 'negative' and 'positive'"):
        read_text_classes(reviews, "review", "rating", {"negative": ["1"], "positive": ["1"]})


def test_hate_speech_config_tests_on_its_own_file_and_never_trains_on_it(tmp_path: Path) -> None:
    train = write_comments(tmp_path / "train.tsv", 80)
    dev = write_comments(tmp_path / "dev.tsv", 12, offset=70)  # 10 texts also in train
    cfg = data_cfg(
        "hate_speech", f"data.path={train}", f"data.test_path={dev}", "data.sizes=[null,8,null]"
    )
    splits = load_class_splits(cfg)
    assert [t.text for t in splits["test"]] == [comment(70 + i) for i in range(12)]
    assert len(splits["dev"]) == 8 and len(splits["train"]) == 80 - 10 - 8
    held = {t.text for t in splits["test"]}
    assert not held & {t.text for t in splits["train"] + splits["dev"]}
    assert {t.label for t in splits["train"]} == {"none", "offensive", "hate"}


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ([5, None, None], "at most one null"),
        ([5, 5], "train, dev and test sizes"),
        ([500, 5, 5], "need 510 texts but only"),
    ],
)
def test_impossible_sizes_are_refused(sizes: list, message: str) -> None:
    texts = [LabelledText(f"text {i}", "a") for i in range(20)]
    with pytest.raises(ValueError, match=message):
        split_text_classes(texts, sizes, seed=0)


@pytest.mark.shared_data
@requires_shared_data("hate_speech", "dev.tsv")
def test_the_real_hate_speech_files_split_as_documented() -> None:
    splits = load_class_splits(data_cfg("hate_speech", f"paths.shared_data={SHARED_DATA}"))
    assert [len(splits[name]) for name in ("train", "dev", "test")] == [7396, 500, 471]
    assert Counter(t.label for t in splits["test"]) == {"offensive": 189, "none": 160, "hate": 122}


def test_a_classifier_data_set_needs_the_classifier_task() -> None:
    with pytest.raises(ConfigError, match="data.source='classes': task=finetune_tagger reads"):
        checked(compose_cfg("+experiment=keyword_tagging", "data=nsmc"))
    with pytest.raises(
        ConfigError,
        match=r"select_metric='span_f1': allowed values are accuracy, macro_f1 \(task=finetune_c",
    ):
        checked(compose_cfg("+experiment=text_classification", "tagging.select_metric=span_f1"))
    with pytest.raises(ConfigError, match="task=finetune_classifier reads texts with classes"):
        checked(compose_cfg("+experiment=text_classification", "data=keywords_synthetic"))


# Three classes; gold 0 0 1 1 2 2, predicted 0 1 1 1 0 2: accuracy 4/6. Per class
# (precision, recall, F1): 0: (1/2, 1/2, 1/2); 1: (2/3, 1, 4/5); 2: (1, 1/2, 2/3).
HAND_GOLD, HAND_PREDICTED = [0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 0, 2]
HAND_CLASS_SCORES = {
    "accuracy": 4 / 6,
    "macro_precision": (1 / 2 + 2 / 3 + 1) / 3,
    "macro_recall": (1 / 2 + 1 + 1 / 2) / 3,
    "macro_f1": (1 / 2 + 4 / 5 + 2 / 3) / 3,
    "n_messages": 6,
}


def test_class_scores_by_hand_and_through_the_offline_evaluate_module(
    no_network: list[object],  # noqa: F811
) -> None:
    assert class_scores(HAND_PREDICTED, HAND_GOLD, 3) == pytest.approx(HAND_CLASS_SCORES)
    # A fourth class nobody predicted or has still counts in the macro average (as F1 0).
    assert class_scores(HAND_PREDICTED, HAND_GOLD, 4)["macro_f1"] == pytest.approx(
        HAND_CLASS_SCORES["macro_f1"] * 3 / 4
    )
    metric = load_class_metric(keep_in_memory=True)
    for predicted, gold in zip(HAND_PREDICTED, HAND_GOLD, strict=True):
        metric.add_batch(predictions=[predicted], references=[gold])
    assert metric.compute(n_classes=3) == pytest.approx(HAND_CLASS_SCORES)
    assert no_network == []


FAST = [
    "+experiment=text_classification",
    "logger=none",
    "model.vocab_size=300",
    "trainer.batch_size=16",
    "optim.warmup_ratio=0",
]


def test_classifier_overfits_a_batch_and_exports_a_pipeline_model(
    tmp_path: Path, one_cpu_thread: None
) -> None:
    reviews = write_reviews(tmp_path / "reviews.tsv", 60)
    cfg = compose_cfg(
        *FAST, f"data.path={reviews}", "data.sizes=[16,8,8]", "trainer.max_steps=40",
        "tagging.eval_every=20",
    )  # fmt: skip
    metrics = run_task(cfg, tmp_path / "run")
    export = tmp_path / "run" / "export" / "model"
    assert json.loads((tmp_path / "run" / "metrics.json").read_text()) == metrics
    assert metrics["steps"] == 40 and metrics["test_n_messages"] == 8

    # One batch of 16 training texts, 40 updates: every one of them learnt.
    train = load_class_splits(cfg.data)["train"]
    classifier = TextClassifier.from_pretrained(export)
    assert classifier.labels == ["negative", "positive"]
    assert [classifier.labels[c] for c in classifier([t.text for t in train])] == [
        t.label for t in train
    ]
    results = pipeline("text-classification", model=str(export))([t.text for t in train[:4]])
    assert [r["label"] for r in results] == [t.label for t in train[:4]]
    card = (export / "README.md").read_text(encoding="utf-8")
    assert "pipeline_tag: text-classification" in card and 'pipeline("text-classification"' in card
    # A suite times it in a fresh process, as a classifier.
    stats = measure_inference(
        export, [t.text for t in train], batch_size=8, max_length=64, kind="classifier"
    )
    assert stats.isolated and stats.kind == "classifier" and stats.n_messages == len(train)


def test_lora_classifier_exports_its_adapter_and_a_merged_model(
    tmp_path: Path, one_cpu_thread: None
) -> None:
    reviews = write_reviews(tmp_path / "reviews.tsv", 60)
    cfg = compose_cfg(
        *FAST, f"data.path={reviews}", "data.sizes=[16,8,8]", "trainer.max_steps=2",
        "tagging.eval_every=2", "tagging.mode=lora", "tagging.lora.r=4",
        "tagging.select_metric=macro_f1",
    )  # fmt: skip
    metrics = run_task(cfg, tmp_path / "run")
    adapter = json.loads(
        (tmp_path / "run" / "export" / "adapter" / "adapter_config.json").read_text()
    )
    assert adapter["task_type"] == "SEQ_CLS" and adapter["r"] == 4
    merged = AutoModelForSequenceClassification.from_pretrained(
        tmp_path / "run" / "export" / "model"
    )
    assert not any("lora" in name for name, _ in merged.named_parameters())
    assert metrics["parameters"] == sum(p.numel() for p in merged.parameters())
    assert "best_dev_macro_f1" in metrics


def test_a_resumed_classifier_run_ends_with_the_weights_of_an_uninterrupted_one(
    tmp_path: Path, one_cpu_thread: None
) -> None:
    """Checkpoint at update 2 of 4, resume in a new run: every draw (batches, dropout) after the
    resume is the one the first run made, so the exports are equal (dev scored at the end only,
    so the export is the last weights)."""
    reviews = write_reviews(tmp_path / "reviews.tsv", 60)
    common = [
        *FAST, f"data.path={reviews}", "data.sizes=[24,8,8]", "trainer.batch_size=8",
        "trainer.max_steps=4", "tagging.eval_every=4", "trainer.save_every=2",
    ]  # fmt: skip
    run_task(compose_cfg(*common), tmp_path / "a")
    checkpoint = tmp_path / "a" / "checkpoints" / "step_00000002"
    run_task(compose_cfg(*common, f"resume={checkpoint}"), tmp_path / "b")
    weights = [load_file(tmp_path / run / "export" / "model" / "model.safetensors") for run in "ab"]
    assert weights[0].keys() == weights[1].keys()
    for key in weights[0]:
        assert torch.equal(weights[0][key], weights[1][key]), key
