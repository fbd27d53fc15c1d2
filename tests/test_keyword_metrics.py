"""Keyword-tagging scores: hand-worked cases, seqeval agreement, and the offline evaluate module."""

from __future__ import annotations

import random
import re
import socket
from pathlib import Path

import pytest
from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.metrics.sequence_labeling import get_entities

from electra_rtd.metrics import (
    PRF,
    char_overlap_scores,
    keyword_set_scores,
    load_keyword_metric,
    prf_from_counts,
    score_keywords,
    strict_span_scores,
)
from electra_rtd.text.spans import Span, bio_to_spans, spans_from_bio

KLUE_NER_DEV = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "ner"
    / "klue"
    / "klue-ner-v1.1_dev.tsv"
)

# Three messages worked by hand (character indices shown per message).
#   0: "오늘 무료 쿠폰 지급"   무료 = [3, 5), 쿠폰 = [6, 8), 쿠폰 지급 = [6, 11)
#   1: "대출 상담"             대출 = [0, 2)
#   2: "안녕하세요"            no keywords on either side
HAND_TEXTS = ["오늘 무료 쿠폰 지급", "대출 상담", "안녕하세요"]
HAND_REFERENCES = [
    [{"start": 3, "end": 5, "label": "KW"}, {"start": 6, "end": 8, "label": "KW"}],
    [{"start": 0, "end": 2, "label": "KW"}],
    [],
]
HAND_PREDICTIONS = [
    [{"start": 3, "end": 5, "label": "KW"}, {"start": 6, "end": 11, "label": "KW"}],
    [{"start": 0, "end": 2, "label": "ORG"}],  # right characters, wrong label
    [],
]
HAND_SCORES = {
    # strict: only 무료 matches exactly; 3 predicted, 3 gold -> 1/3 each.
    "span_precision": 1 / 3,
    "span_recall": 1 / 3,
    "span_f1": 1 / 3,
    # keyword sets ignore labels. Message 0: {무료, 쿠폰 지급} vs {무료, 쿠폰} -> 1/2, 1/2, 1/2;
    # message 1: {대출} vs {대출} -> 1; message 2: both empty -> 1. Macro: (1/2 + 1 + 1) / 3.
    "kwset_precision": 5 / 6,
    "kwset_recall": 5 / 6,
    "kwset_f1": 5 / 6,
    # pooled: 2 shared words, 3 predicted, 3 gold.
    "kwset_micro_precision": 2 / 3,
    "kwset_micro_recall": 2 / 3,
    "kwset_micro_f1": 2 / 3,
    # characters: message 0 predicts {3,4} + {6..10} = 7, gold {3,4,6,7} = 4, all 4 shared;
    # message 1 predicts 2 ORG characters against 2 KW ones: 0 shared. P = 4/9, R = 4/6,
    # F1 = 2*4 / (9 + 6) = 8/15.
    "partial_precision": 4 / 9,
    "partial_recall": 2 / 3,
    "partial_f1": 8 / 15,
    "n_messages": 3,
}


def kw(start: int, end: int) -> tuple[int, int, str]:
    return (start, end, "KW")


def assert_prf(actual: PRF, precision: float, recall: float, f1: float) -> None:
    assert actual == pytest.approx(PRF(precision, recall, f1))


def test_prf_from_counts_rewards_nothing_only_when_nothing_was_there() -> None:
    assert_prf(prf_from_counts(0, 0, 0), 1.0, 1.0, 1.0)
    assert_prf(prf_from_counts(0, 0, 3), 0.0, 0.0, 0.0)  # predicted nothing, missed 3
    assert_prf(prf_from_counts(0, 2, 0), 0.0, 0.0, 0.0)  # 2 false alarms, no recall credit
    # 1 of 2 predictions right, 1 of 4 gold found: F1 = 2 * 1/2 * 1/4 / (3/4) = 1/3.
    assert_prf(prf_from_counts(1, 2, 4), 0.5, 0.25, 1 / 3)


def test_score_keywords_on_hand_worked_corpus() -> None:
    scores = score_keywords(HAND_PREDICTIONS, HAND_REFERENCES, HAND_TEXTS)
    assert scores == pytest.approx(HAND_SCORES)


def test_tuples_and_dicts_are_the_same_spans() -> None:
    as_tuples = [[(s["start"], s["end"], s["label"]) for s in m] for m in HAND_PREDICTIONS]
    assert score_keywords(as_tuples, HAND_REFERENCES, HAND_TEXTS) == pytest.approx(HAND_SCORES)


def test_label_mismatch_is_wrong_for_spans_and_characters_but_not_keyword_sets() -> None:
    predictions, references, texts = [[(0, 2, "ORG")]], [[kw(0, 2)]], ["대출 상담"]
    assert_prf(strict_span_scores(predictions, references), 0.0, 0.0, 0.0)
    assert_prf(char_overlap_scores(predictions, references), 0.0, 0.0, 0.0)
    assert_prf(keyword_set_scores(predictions, references, texts).macro, 1.0, 1.0, 1.0)


def test_predicting_nothing_scores_zero_on_messages_with_keywords() -> None:
    scores = score_keywords([[]], [[kw(0, 2)]], ["대출 상담"])
    assert {value for key, value in scores.items() if key != "n_messages"} == {0.0}


def test_false_alarms_on_a_message_without_keywords_score_zero() -> None:
    scores = score_keywords([[kw(0, 2)]], [[]], ["대출 상담"])
    assert {value for key, value in scores.items() if key != "n_messages"} == {0.0}


def test_both_empty_is_perfect() -> None:
    scores = score_keywords([[]], [[]], ["안녕하세요"])
    assert {value for key, value in scores.items() if key != "n_messages"} == {1.0}


def test_a_silent_tagger_only_earns_the_messages_without_keywords() -> None:
    # 4 messages, only the last has no gold keyword; predicting nothing anywhere gives per-message
    # F1 0, 0, 0, 1 -> macro 1/4, and pooled 0 found of 3 gold -> micro 0.
    texts = ["무료 쿠폰", "대출 상담", "주식 리딩방", "안녕하세요"]
    references = [[kw(0, 2)], [kw(0, 2)], [kw(0, 2)], []]
    scores = score_keywords([[], [], [], []], references, texts)
    assert scores["kwset_f1"] == pytest.approx(0.25)
    assert scores["kwset_micro_f1"] == 0.0
    assert scores["span_f1"] == 0.0


def test_keyword_sets_collapse_whitespace_and_case() -> None:
    # "Free  Coupon 받기\nfree coupon": [0, 12) = "Free  Coupon" (two spaces), [12, 16) = " 받기\n",
    # [13, 15) = "받기", [16, 27) = "free coupon".
    text = "Free  Coupon 받기\nfree coupon"
    predictions, references = [[kw(0, 12), kw(12, 16)]], [[kw(16, 27), kw(13, 15)]]
    # Both sides normalise to {"free coupon", "받기"}.
    assert_prf(keyword_set_scores(predictions, references, [text]).macro, 1.0, 1.0, 1.0)
    # No span matches exactly.
    assert_prf(strict_span_scores(predictions, references), 0.0, 0.0, 0.0)
    # Characters: predicted 12 + 4 = 16, gold 11 + 2 = 13, shared {13, 14} = 2:
    # P = 2/16, R = 2/13, F1 = 2*2 / (16 + 13) = 4/29.
    assert_prf(char_overlap_scores(predictions, references), 2 / 16, 2 / 13, 4 / 29)


def test_character_overlap_counts_shared_characters_once_and_per_label() -> None:
    # Gold [2, 8) = 6 characters. Predictions [0, 4) and [6, 10) share {2, 3} and {6, 7} with it;
    # [1, 3) lies inside [0, 4) and adds no new character. Predicted characters: 4 + 4 = 8.
    # P = 4/8, R = 4/6, F1 = 2*4 / (8 + 6) = 4/7.
    references = [[kw(2, 8)]]
    predictions = [[kw(0, 4), kw(6, 10), kw(1, 3)]]
    assert_prf(char_overlap_scores(predictions, references), 0.5, 2 / 3, 4 / 7)
    # The gold characters tagged as another label add 6 predicted characters, none shared:
    # P = 4/14, R = 4/6, F1 = 2*4 / (14 + 6) = 0.4.
    predictions[0].append((2, 8, "ORG"))
    assert_prf(char_overlap_scores(predictions, references), 4 / 14, 2 / 3, 0.4)


def test_duplicate_predictions_count_once() -> None:
    assert_prf(strict_span_scores([[kw(0, 2), kw(0, 2)]], [[kw(0, 2)]]), 1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("predictions", "references", "texts", "message"),
    [
        ([[]], [[], []], ["a", "b"], "predictions cover 1 messages but references 2"),
        ([[], []], [[], []], ["a"], "texts hold 1 messages but references 2"),
        ([], [], [], "no messages"),
        (
            [[], [kw(1, 9)]],
            [[], []],
            ["abc", "abc"],
            r"message 1, prediction span 0 .* past the text",
        ),
        ([[], []], [[], [kw(2, 2)]], ["abc", "abc"], r"message 1, reference span 0 .* start < end"),
        ([[kw(3, 1)]], [[]], ["abcd"], r"message 0, prediction span 0 .* start < end"),
        ([[kw(-1, 1)]], [[]], ["abcd"], r"message 0, prediction span 0 .* 0 <= start"),
        ([[(0, 1)]], [[]], ["abcd"], "expected a \\(start, end, label\\) tuple"),
        ([[{"start": 0, "end": 1}]], [[]], ["abcd"], r"missing keys \['label'\]"),
        ([[(0, 1.5, "KW")]], [[]], ["abcd"], "must be integers"),
        ([[(False, 1, "KW")]], [[]], ["abcd"], "must be integers"),
        ([[(0, 1, "")]], [[]], ["abcd"], "label must be a non-empty string"),
    ],
)
def test_bad_input_is_rejected_with_its_message_index(
    predictions: list, references: list, texts: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        score_keywords(predictions, references, texts)


def test_bio_to_spans_decodes_well_formed_tags() -> None:
    tags = ["B-KW", "I-KW", "O", "B-KW", "B-KW", "I-KW"]
    assert bio_to_spans(tags) == [Span(0, 2, "KW"), Span(3, 4, "KW"), Span(4, 6, "KW")]


def test_bio_to_spans_opens_a_span_at_a_stray_inside_tag_like_seqeval() -> None:
    # I-KW after O opens [1, 3); B-A opens [3, 4); I-KW after another label opens [4, 5).
    tags = ["O", "I-KW", "I-KW", "B-A", "I-KW"]
    assert bio_to_spans(tags) == [Span(1, 3, "KW"), Span(3, 4, "A"), Span(4, 5, "KW")]


@pytest.mark.parametrize("tag", ["X-KW", "B-", "B", "KW"])
def test_bio_to_spans_rejects_unknown_tags(tag: str) -> None:
    with pytest.raises(ValueError, match=f"tag 1 is '{tag}'"):
        bio_to_spans(["O", tag])


def test_spans_from_bio_maps_subword_tags_to_characters() -> None:
    # "무료쿠폰 받기" as WordPiece: 무료 [0, 2), ##쿠폰 [2, 4), 받기 [5, 7).
    text = "무료쿠폰 받기"
    spans = spans_from_bio(["B-KW", "I-KW", "O"], [(0, 2), (2, 4), (5, 7)])
    assert spans == [Span(0, 4, "KW")]
    assert text[spans[0].start : spans[0].end] == "무료쿠폰"
    with pytest.raises(ValueError, match="3 tags but 2 token offsets"):
        spans_from_bio(["B-KW", "I-KW", "O"], [(0, 2), (2, 4)])


def random_corpus(rng: random.Random, n_messages: int) -> tuple[list[list[str]], list[list[str]]]:
    """Random gold tags and predictions that keep ~70% of them, so both hits and misses occur."""
    tags = ["O", "O", "B-KW", "I-KW", "B-LOC", "I-LOC"]
    gold = [[rng.choice(tags) for _ in range(rng.randint(0, 12))] for _ in range(n_messages)]
    predicted = [[t if rng.random() < 0.7 else rng.choice(tags) for t in seq] for seq in gold]
    return gold, predicted


def test_bio_to_spans_matches_seqeval_entities_on_random_tags() -> None:
    gold, predicted = random_corpus(random.Random(7), 300)
    for sequence in gold + predicted:
        expected = [Span(start, end + 1, label) for label, start, end in get_entities(sequence)]
        assert sorted(bio_to_spans(sequence)) == sorted(expected), sequence


@pytest.mark.parametrize("seed", range(10))
def test_strict_scores_match_seqeval_on_random_tags(seed: int) -> None:
    gold, predicted = random_corpus(random.Random(seed), 60)
    ours = strict_span_scores(
        [bio_to_spans(seq) for seq in predicted], [bio_to_spans(seq) for seq in gold]
    )
    assert any(gold) and any(predicted)  # seqeval gives 0.0 on a corpus without spans; we 1.0
    assert ours.precision == pytest.approx(precision_score(gold, predicted))
    assert ours.recall == pytest.approx(recall_score(gold, predicted))
    assert ours.f1 == pytest.approx(f1_score(gold, predicted))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail any socket connection and record it, so a swallowed attempt still shows."""
    attempts: list[object] = []

    def refuse(_socket: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError(f"network blocked in test: {address}")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_evaluate_module_loads_offline_and_matches_the_function(no_network: list[object]) -> None:
    metric = load_keyword_metric(keep_in_memory=True)
    scores = metric.compute(
        predictions=HAND_PREDICTIONS, references=HAND_REFERENCES, texts=HAND_TEXTS
    )
    assert scores == pytest.approx(HAND_SCORES)
    # Batches added one by one give the same result as one call.
    for prediction, reference, text in zip(
        HAND_PREDICTIONS, HAND_REFERENCES, HAND_TEXTS, strict=True
    ):
        metric.add_batch(predictions=[prediction], references=[reference], texts=[text])
    assert metric.compute() == pytest.approx(HAND_SCORES)
    assert no_network == []


def test_evaluate_module_loads_by_directory_path(no_network: list[object]) -> None:
    import evaluate

    import electra_rtd.metrics

    module_dir = Path(electra_rtd.metrics.__file__).parent / "keyword_metric"
    metric = evaluate.load(str(module_dir), keep_in_memory=True)
    scores = metric.compute(
        predictions=HAND_PREDICTIONS, references=HAND_REFERENCES, texts=HAND_TEXTS
    )
    assert scores == pytest.approx(HAND_SCORES)
    assert no_network == []


def read_klue_sentences(limit: int) -> list[tuple[str, list[str], list[tuple[str, str]]]]:
    """(text, character tags, entities from the markup comment) for the first ``limit`` sentences."""
    sentences = []
    for block in KLUE_NER_DEV.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip("\n").split("\n")
        markup = next((ln for ln in lines if ln.startswith("## klue-ner")), None)
        rows = [ln.split("\t") for ln in lines if not ln.startswith("##")]
        if markup is None or not rows:
            continue
        text = "".join(char for char, _ in rows)
        entities = re.findall(r"<([^<>]+?):([A-Z]{2})>", markup.split("\t", 1)[1])
        sentences.append((text, [tag for _, tag in rows], entities))
        if len(sentences) == limit:
            break
    return sentences


@pytest.mark.shared_data
@pytest.mark.skipif(not KLUE_NER_DEV.is_file(), reason="needs ../shared/data beside the repository")
def test_real_character_tags_decode_to_the_annotated_entities_and_match_seqeval() -> None:
    sentences = read_klue_sentences(300)
    for text, tags, entities in sentences:
        spans = spans_from_bio(tags, [(i, i + 1) for i in range(len(tags))])
        assert [(text[s.start : s.end], s.label) for s in spans] == entities
    # Seqeval agreement on real tag shapes, with predictions corrupted at random.
    rng = random.Random(0)
    gold = [tags for _, tags, _ in sentences]
    predicted = [
        [t if rng.random() < 0.9 else rng.choice(["O", "B-PS", "I-PS"]) for t in seq]
        for seq in gold
    ]
    ours = strict_span_scores([bio_to_spans(s) for s in predicted], [bio_to_spans(s) for s in gold])
    assert ours.f1 == pytest.approx(f1_score(gold, predicted))
    assert ours.precision == pytest.approx(precision_score(gold, predicted))
