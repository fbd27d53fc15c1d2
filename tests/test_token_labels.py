"""Spans to subword labels and back: hand-checked alignments and a round trip on real tokenizers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from transformers import BertTokenizer, DataCollatorForTokenClassification, PreTrainedTokenizerBase

from conftest import SHARED_DATA
from electra_rtd.data.labelled import LabelledMessage, synthetic_labelled
from electra_rtd.data.token_labels import (
    IGNORE_INDEX,
    align_spans,
    bio_label_names,
    decode_spans,
    encode_labelled,
)
from electra_rtd.data.tokenization import load_tokenizer, train_wordpiece
from electra_rtd.data.windows import window_parts
from electra_rtd.text.spans import Span

X = IGNORE_INDEX
LABEL2ID = {"O": 0, "B-KW": 1, "I-KW": 2}
ID2LABEL = {0: "O", 1: "B-KW", 2: "I-KW"}
# small_tokenizer: [CLS] 택배 ##가 도착 ##했 ##습니다 [SEP]
DELIVERY = "택배가 도착했습니다"
DELIVERY_OFFSETS = [(0, 0), (0, 2), (2, 3), (4, 6), (6, 7), (7, 10), (0, 0)]
DELIVERY_WORDS = [None, 0, 0, 1, 1, 1, None]
# small_tokenizer: [CLS] 비트 ##코인 리딩방 [SEP]
COIN = "비트코인 리딩방"
COIN_OFFSETS = [(0, 0), (0, 2), (2, 4), (5, 8), (0, 0)]


def kw(start: int, end: int) -> Span:
    return Span(start, end, "KW")


def test_bio_label_names() -> None:
    assert bio_label_names({"KW"}) == ["O", "B-KW", "I-KW"]
    assert bio_label_names(["PS", "LC", "PS"]) == ["O", "B-LC", "I-LC", "B-PS", "I-PS"]
    for bad in ("", "O"):
        with pytest.raises(ValueError, match="non-empty strings other than 'O'"):
            bio_label_names([bad])


def test_small_tokenizer_offsets_are_as_the_cases_below_assume(
    small_tokenizer: BertTokenizer,
) -> None:
    encoding = small_tokenizer(DELIVERY, return_offsets_mapping=True)
    assert encoding["offset_mapping"] == DELIVERY_OFFSETS
    assert encoding.word_ids() == DELIVERY_WORDS
    assert small_tokenizer(COIN, return_offsets_mapping=True)["offset_mapping"] == COIN_OFFSETS


# --- align_spans -------------------------------------------------------------------------------


def test_a_word_span_is_b_then_i_and_special_tokens_are_ignored() -> None:
    aligned = align_spans(DELIVERY_OFFSETS, [kw(0, 3)], LABEL2ID)
    assert aligned.label_ids == [X, 1, 2, 0, 0, 0, X]
    assert aligned.misaligned == [] and aligned.truncated == []


def test_padding_tokens_get_ignore_index() -> None:
    aligned = align_spans([*DELIVERY_OFFSETS, (0, 0), (0, 0)], [kw(4, 10)], LABEL2ID)
    assert aligned.label_ids == [X, 0, 0, 1, 2, 2, X, X, X]


def test_a_span_cutting_tokens_keeps_them_and_is_reported() -> None:
    # "트코" starts inside 비트 and ends inside ##코인: both tokens share characters with it.
    aligned = align_spans(COIN_OFFSETS, [kw(1, 3)], LABEL2ID)
    assert aligned.label_ids == [X, 1, 2, 0, X]
    assert aligned.misaligned == [kw(1, 3)]
    assert decode_spans(aligned.label_ids, COIN_OFFSETS, ID2LABEL) == [kw(0, 4)]


def test_a_span_inside_one_token() -> None:
    aligned = align_spans([(0, 4)], [kw(1, 3)], LABEL2ID)
    assert aligned.label_ids == [1]
    assert aligned.misaligned == [kw(1, 3)]


def test_adjacent_spans_stay_separate() -> None:
    aligned = align_spans(COIN_OFFSETS, [kw(2, 4), kw(0, 2)], LABEL2ID)
    assert aligned.label_ids == [X, 1, 1, 0, X]
    assert aligned.misaligned == []
    assert decode_spans(aligned.label_ids, COIN_OFFSETS, ID2LABEL) == [kw(0, 2), kw(2, 4)]


def test_adjacent_spans_in_one_token_give_it_to_the_first() -> None:
    aligned = align_spans([(0, 0), (0, 4), (0, 0)], [kw(0, 2), kw(2, 4)], LABEL2ID)
    assert aligned.label_ids == [X, 1, X]
    assert aligned.misaligned == [kw(0, 2), kw(2, 4)]


def test_first_subword_only() -> None:
    aligned = align_spans(
        DELIVERY_OFFSETS, [kw(0, 3)], LABEL2ID, label_all_subwords=False, word_ids=DELIVERY_WORDS
    )
    assert aligned.label_ids == [X, 1, X, 0, X, X, X]
    assert aligned.misaligned == []
    assert decode_spans(aligned.label_ids, DELIVERY_OFFSETS, ID2LABEL) == [kw(0, 3)]


def test_first_subword_only_cannot_express_a_span_ending_inside_a_word() -> None:
    # 택배 without its particle 가: fine per subword, but a word is labelled as a whole.
    by_token = align_spans(DELIVERY_OFFSETS, [kw(0, 2)], LABEL2ID)
    by_word = align_spans(
        DELIVERY_OFFSETS, [kw(0, 2)], LABEL2ID, label_all_subwords=False, word_ids=DELIVERY_WORDS
    )
    assert (by_token.label_ids, by_token.misaligned) == ([X, 1, 0, 0, 0, 0, X], [])
    assert by_word.misaligned == [kw(0, 2)]
    with pytest.raises(ValueError, match="needs the encoding's word_ids"):
        align_spans(DELIVERY_OFFSETS, [kw(0, 2)], LABEL2ID, label_all_subwords=False)


def test_a_span_past_the_last_token_is_truncated_not_misaligned() -> None:
    aligned = align_spans([(0, 0), (0, 2), (2, 3), (0, 0)], [kw(0, 2), kw(4, 6)], LABEL2ID)
    assert aligned.label_ids == [X, 1, 0, X]
    assert aligned.truncated == [kw(4, 6)]
    assert aligned.misaligned == []


def test_label2id_must_know_the_tags() -> None:
    with pytest.raises(ValueError, match="no id for 'I-KW'"):
        align_spans(DELIVERY_OFFSETS, [kw(4, 10)], {"O": 0, "B-KW": 1})


# --- decode_spans ------------------------------------------------------------------------------


def test_decode_tags_skips_special_tokens_whatever_their_label() -> None:
    tags = ["B-KW", "B-KW", "I-KW", "O", "O", "O", "I-KW"]
    assert decode_spans(tags, DELIVERY_OFFSETS) == [kw(0, 3)]


def test_decode_ignore_index_continues_the_previous_token() -> None:
    assert decode_spans([X, 1, X, 0, X, X, X], DELIVERY_OFFSETS, ID2LABEL) == [kw(0, 3)]
    assert decode_spans([X, 0, X, 1, X, X, X], DELIVERY_OFFSETS, ID2LABEL) == [kw(4, 10)]


def test_decode_opens_a_span_at_a_stray_i_tag_like_seqeval() -> None:
    assert decode_spans([X, 0, 0, 2, 2, 0, X], DELIVERY_OFFSETS, ID2LABEL) == [kw(4, 7)]


def test_decode_trims_whitespace_when_given_the_text() -> None:
    # Offsets that include the space before a word, as SentencePiece tokenizers give them.
    text, offsets = "새 택배", [(0, 1), (1, 4)]
    assert decode_spans(["O", "B-KW"], offsets) == [kw(1, 4)]
    assert decode_spans(["O", "B-KW"], offsets, text=text) == [kw(2, 4)]
    assert decode_spans(["O", "B-KW", "O"], [(0, 1), (1, 2), (2, 4)], text=text) == []


def test_decode_errors() -> None:
    with pytest.raises(ValueError, match="2 labels but 7 token offsets"):
        decode_spans([0, 1], DELIVERY_OFFSETS, ID2LABEL)
    with pytest.raises(ValueError, match="needs id2label"):
        decode_spans([0] * 7, DELIVERY_OFFSETS)
    with pytest.raises(ValueError, match="label id 5 is not in id2label"):
        decode_spans([X, 5, 0, 0, 0, 0, X], DELIVERY_OFFSETS, ID2LABEL)


# --- encode_labelled ---------------------------------------------------------------------------

MESSAGES = [
    LabelledMessage(DELIVERY, (kw(0, 3),)),
    LabelledMessage(COIN, (kw(1, 3), kw(5, 8))),
]


def test_encode_labelled_columns_labels_and_warning(
    small_tokenizer: BertTokenizer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.token_labels"):
        dataset = encode_labelled(MESSAGES, small_tokenizer, LABEL2ID, max_length=32)
    assert {"input_ids", "attention_mask", "labels"} <= set(dataset.column_names)
    assert dataset["labels"] == [[X, 1, 2, 0, 0, 0, X], [X, 1, 2, 1, X]]
    (record,) = caplog.records
    assert "1 of 3 spans in 1 of 2 messages do not fall on token boundaries" in record.getMessage()
    assert "(messages 1)" in record.getMessage()


def test_encoded_rows_collate_into_a_padded_batch(small_tokenizer: BertTokenizer) -> None:
    dataset = encode_labelled(MESSAGES, small_tokenizer, LABEL2ID)
    batch = DataCollatorForTokenClassification(small_tokenizer)([dataset[0], dataset[1]])
    assert batch["input_ids"].shape == batch["labels"].shape == (2, 7)
    assert batch["labels"][1].tolist() == [X, 1, 2, 1, X, X, X]


def test_encode_labelled_first_subword_only(small_tokenizer: BertTokenizer) -> None:
    dataset = encode_labelled(
        MESSAGES[:1], small_tokenizer, LABEL2ID, max_length=32, label_all_subwords=False
    )
    assert dataset["labels"] == [[X, 1, X, 0, X, X, X]]


def test_encode_labelled_raises_on_misaligned_when_asked(small_tokenizer: BertTokenizer) -> None:
    with pytest.raises(ValueError, match=r"message 1: spans 1:3 \(KW\) do not fall on token"):
        encode_labelled(MESSAGES, small_tokenizer, LABEL2ID, on_misaligned="raise")


def test_encode_labelled_warns_about_truncated_spans(
    small_tokenizer: BertTokenizer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.token_labels"):
        dataset = encode_labelled(MESSAGES[1:], small_tokenizer, LABEL2ID, max_length=4)
    assert dataset["labels"] == [[X, 1, 2, X]]
    assert "1 of 2 spans in 1 of 1 messages reach past max_length=4 tokens" in caplog.text


def test_with_a_stride_a_long_message_becomes_overlapping_windows(
    small_tokenizer: BertTokenizer, caplog: pytest.LogCaptureFixture
) -> None:
    """[비트 ##코인] and [##코인 리딩방]: nothing is cut; the keyword begun in the first window is
    tagged from the second window's first token, and is not reported as misaligned."""
    coin = [LabelledMessage(COIN, (kw(0, 4), kw(5, 8)))]
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.token_labels"):
        dataset = encode_labelled(coin, small_tokenizer, LABEL2ID, max_length=4, stride=1)
    assert dataset["labels"] == [[X, 1, 2, X], [X, 1, 1, X]]
    assert dataset.column_names == ["input_ids", "token_type_ids", "attention_mask", "labels"]
    assert caplog.text == ""


def test_windowed_labels_tile_back_into_the_whole_messages_labels(
    real_tokenizer: PreTrainedTokenizerBase,
) -> None:
    """Keeping each window's middle (`window_parts`) gives every token the label it has when the
    message is encoded whole: windows change the context, never the labels."""
    messages = ROUND_TRIP_MESSAGES[:100]
    whole = encode_labelled(messages, real_tokenizer, LABEL2ID, max_length=512)
    windows = encode_labelled(messages, real_tokenizer, LABEL2ID, max_length=12, stride=6)
    message_of = real_tokenizer(
        [message.text for message in messages],
        max_length=12,
        stride=6,
        truncation=True,
        return_overflowing_tokens=True,
    )["overflow_to_sample_mapping"]
    assert len(windows) == len(message_of) > 2 * len(messages)  # most need several windows
    for index, labels in enumerate(whole["labels"]):
        parts = [windows["labels"][w][1:-1] for w, m in enumerate(message_of) if m == index]
        kept = window_parts([len(part) for part in parts], 6)
        merged = [label for part, (a, b) in zip(parts, kept, strict=True) for label in part[a:b]]
        assert merged == labels[1:-1]


def test_encode_labelled_checks_its_inputs(small_tokenizer: BertTokenizer) -> None:
    places = [LabelledMessage(COIN, (Span(5, 8, "LC"),))]
    with pytest.raises(ValueError, match=r"label2id lacks \['B-LC', 'I-LC'\]"):
        encode_labelled(places, small_tokenizer, LABEL2ID)
    with pytest.raises(ValueError, match="no messages"):
        encode_labelled([], small_tokenizer, LABEL2ID)


# --- decode(align(spans)) on real tokenizers ---------------------------------------------------

ROUND_TRIP_MESSAGES = synthetic_labelled(300, seed=11)


@pytest.fixture(scope="module", params=["trained-wordpiece", "kcbert-base", "koelectra-v1"])
def real_tokenizer(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> PreTrainedTokenizerBase:
    if request.param == "trained-wordpiece":
        texts = [message.text for message in synthetic_labelled(1500, seed=5)]
        return train_wordpiece(texts, tmp_path_factory.mktemp("wordpiece"), vocab_size=3000)
    folder: Path = SHARED_DATA / "vocab" / request.param
    if not folder.is_dir():
        pytest.skip(f"{folder} not available")
    return load_tokenizer(folder)


def on_boundaries(offsets: list, word_ids: list, spans: tuple[Span, ...], by_word: bool) -> set:
    """Spans whose start begins a unit and whose end ends one (units: tokens, or whole words)."""
    units: dict[object, list[int]] = {}
    for index, ((start, end), word) in enumerate(zip(offsets, word_ids, strict=True)):
        if end > start:
            key = word if by_word else index
            units.setdefault(key, [start, end])[1] = end
    starts = {start for start, _ in units.values()}
    ends = {end for _, end in units.values()}
    return {span for span in spans if span.start in starts and span.end in ends}


@pytest.mark.parametrize("label_all_subwords", [True, False])
def test_decode_of_align_gives_back_every_span_on_boundaries(
    real_tokenizer: PreTrainedTokenizerBase, label_all_subwords: bool
) -> None:
    label2id = {name: i for i, name in enumerate(bio_label_names({"KW"}))}
    id2label = {i: name for name, i in label2id.items()}
    fully_aligned = 0
    for message in ROUND_TRIP_MESSAGES:
        encoding = real_tokenizer(message.text, return_offsets_mapping=True)
        offsets, word_ids = encoding["offset_mapping"], encoding.word_ids()
        aligned = align_spans(
            offsets, message.spans, label2id, label_all_subwords, word_ids=word_ids
        )
        expected = on_boundaries(offsets, word_ids, message.spans, by_word=not label_all_subwords)
        assert aligned.truncated == []
        assert set(aligned.misaligned) == set(message.spans) - expected
        decoded = decode_spans(aligned.label_ids, offsets, id2label, text=message.text)
        assert expected <= set(decoded)
        if expected == set(message.spans):
            assert decoded == list(message.spans)
            fully_aligned += 1
    # Not vacuous: most synthetic keywords are whole words or stems before a particle.
    assert fully_aligned >= len(ROUND_TRIP_MESSAGES) // 4
