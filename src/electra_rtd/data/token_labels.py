"""Character spans to BIO labels over subword tokens and back: both ends of keyword tagging.

Alignment rule: a token belongs to the first span it shares a character with. A span whose
boundary falls inside a token therefore still gets that token (a keyword is never lost to
tokenisation), but decodes to the wider token boundary; such spans are reported as misaligned.
The first token of a span is `B-`, the rest `I-`, so adjacent spans stay two spans.

Tokens without characters (offset (0, 0): [CLS], [SEP], padding) get -100, which the loss and
the metrics ignore. With `label_all_subwords=False` only the first subword of each word carries a
label and the others get -100 too; decoding then gives each word its first subword's label.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, NamedTuple

import datasets
from transformers import PreTrainedTokenizerBase

from electra_rtd.data.labelled import LabelledMessage
from electra_rtd.data.windows import Stride, resolve_stride
from electra_rtd.text.spans import OUTSIDE_TAG, Span, spans_from_bio, trim_span

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100
# Messages named in a warning; listing them all would flood the log.
MAX_REPORTED_MESSAGES = 5

Offsets = Sequence[tuple[int, int]] | Sequence[Sequence[int]]


class TokenLabels(NamedTuple):
    """One message's label ids and the gold spans they cannot represent exactly."""

    label_ids: list[int]
    # Spans that `decode_spans` does not give back: a boundary lies inside a token (or, labelling
    # first subwords only, inside a word).
    misaligned: list[Span]
    # Spans reaching past the last token, i.e. cut off by truncation to max_length.
    truncated: list[Span]


def bio_label_names(labels: Iterable[str]) -> list[str]:
    """`["O", "B-KW", "I-KW"]` for {"KW"}: "O" first (id 0), then B-/I- of each label, sorted."""
    names = [OUTSIDE_TAG]
    for label in sorted(set(labels)):
        if not isinstance(label, str) or not label or label == OUTSIDE_TAG:
            raise ValueError(f"span labels must be non-empty strings other than 'O', got {label!r}")
        names += [f"B-{label}", f"I-{label}"]
    return names


def align_spans(
    offsets: Offsets,
    spans: Sequence[Span],
    label2id: Mapping[str, int],
    label_all_subwords: bool = True,
    *,
    word_ids: Sequence[int | None] | None = None,
    text: str | None = None,
) -> TokenLabels:
    """Label ids for the tokens of one encoded message (see the module docstring for the rule).

    `offsets` is the encoding's offset mapping; `word_ids` (`encoding.word_ids(i)`) is needed
    only with `label_all_subwords=False`. `text` is passed on to `decode_spans` when checking which
    spans come back, for tokenizers whose offsets include spaces.
    """
    if not label_all_subwords and word_ids is None:
        raise ValueError("label_all_subwords=False needs the encoding's word_ids")
    if word_ids is not None and len(word_ids) != len(offsets):
        raise ValueError(f"{len(word_ids)} word ids but {len(offsets)} token offsets")
    spans = sorted(spans)
    tags = _token_tags(offsets, spans)
    label_ids = [IGNORE_INDEX if tag is None else _label_id(tag, label2id) for tag in tags]
    if not label_all_subwords:
        previous_word = None
        for index, (tag, word) in enumerate(zip(tags, word_ids, strict=True)):
            if tag is None:
                continue
            if word is not None and word == previous_word:
                label_ids[index] = IGNORE_INDEX
            previous_word = word
    last_end = max((int(end) for start, end in offsets if int(end) > int(start)), default=0)
    truncated = [span for span in spans if span.end > last_end]
    id2label = {index: name for name, index in label2id.items()}
    decoded = set(decode_spans(label_ids, offsets, id2label, text=text))
    misaligned = [span for span in spans if span not in decoded and span.end <= last_end]
    return TokenLabels(label_ids, misaligned, truncated)


def decode_spans(
    label_ids_or_tags: Sequence[int] | Sequence[str],
    offsets: Offsets,
    id2label: Mapping[int, str] | None = None,
    *,
    text: str | None = None,
) -> list[Span]:
    """Character spans from per-token label ids (or tag strings) and the tokens' offsets.

    Tokens without characters are skipped whatever their label. A real token labelled -100 (a
    non-first subword) continues its predecessor: inside a span if the predecessor was, else "O".
    With `text`, spans are trimmed of whitespace at their ends, and dropped if nothing is left.
    """
    if len(label_ids_or_tags) != len(offsets):
        raise ValueError(f"{len(label_ids_or_tags)} labels but {len(offsets)} token offsets")
    tags: list[str] = []
    token_offsets: list[tuple[int, int]] = []
    for label, (start, end) in zip(label_ids_or_tags, offsets, strict=True):
        start, end = int(start), int(end)
        if end <= start:
            continue
        tag = _tag_of(label, id2label)
        if tag is None:
            previous = tags[-1] if tags else OUTSIDE_TAG
            tag = OUTSIDE_TAG if previous == OUTSIDE_TAG else f"I-{previous[2:]}"
        tags.append(tag)
        token_offsets.append((start, end))
    spans = spans_from_bio(tags, token_offsets)
    if text is None:
        return spans
    return [trimmed for span in spans if (trimmed := trim_span(span, text)) is not None]


def encode_labelled(
    messages: Sequence[LabelledMessage],
    tokenizer: PreTrainedTokenizerBase,
    label2id: Mapping[str, int],
    max_length: int = 128,
    label_all_subwords: bool = True,
    *,
    stride: Stride = None,
    on_misaligned: Literal["warn", "raise"] = "warn",
) -> datasets.Dataset:
    """Tokenise labelled messages for token classification, unpadded (a collator pads).

    A message longer than ``max_length`` tokens is cut off there, or, with ``stride``, becomes
    several training examples: overlapping windows sharing ``stride`` tokens, as `KeywordTagger`
    reads it, so keywords deep inside long messages are learnt too.

    Columns: the tokenizer's model inputs (input_ids, attention_mask, ...) and `labels`, ready for
    `DataCollatorForTokenClassification`. Offsets are left out because that collator cannot pad
    them; the same tokenizer call with `return_offsets_mapping=True` gives them back for
    `decode_spans`, as the keyword extractor does.

    Misaligned spans (see `align_spans`) are warned about with their count, or raise with
    `on_misaligned="raise"`; spans cut off by `max_length` are always warned about. Messages are
    named by their index, not their text, which may hold personal data.
    """
    if on_misaligned not in ("warn", "raise"):
        raise ValueError(f"on_misaligned must be 'warn' or 'raise', got {on_misaligned!r}")
    if not messages:
        raise ValueError("no messages to encode")
    if not tokenizer.is_fast:
        raise ValueError("encode_labelled needs a fast tokenizer: it relies on offset mappings")
    _check_label_names(messages, label2id)
    stride = resolve_stride(stride, max_length, tokenizer)
    encoded = tokenizer(
        [message.text for message in messages],
        truncation=True,
        max_length=max_length,
        stride=stride or 0,
        return_overflowing_tokens=stride is not None,
        return_offsets_mapping=True,
    )
    boundary = "token" if label_all_subwords else "word"
    message_of = encoded.get("overflow_to_sample_mapping", range(len(messages)))
    labels: list[list[int]] = []
    misaligned: dict[int, list[Span]] = {}
    truncated: dict[int, list[Span]] = {}
    for window, index in enumerate(message_of):
        message = messages[index]
        offsets = encoded["offset_mapping"][window]
        last_window = window + 1 == len(message_of) or message_of[window + 1] != index
        # A window sees the spans that end inside it or later; one begun in an earlier window
        # is tagged from this window's first token, and only whole ones can be misaligned.
        first = _first_char(offsets)
        aligned = align_spans(
            offsets,
            [span for span in message.spans if span.end > first],
            label2id,
            label_all_subwords,
            word_ids=encoded.word_ids(window),
            text=message.text,
        )
        wrong = [span for span in aligned.misaligned if span.start >= first]
        if wrong and on_misaligned == "raise":
            raise ValueError(
                f"message {index}: spans {_spans_text(wrong)} do not fall on "
                f"{boundary} boundaries of this tokenizer"
            )
        if wrong:
            misaligned.setdefault(index, []).extend(wrong)
        if aligned.truncated and last_window:
            truncated[index] = aligned.truncated
        labels.append(aligned.label_ids)
    _warn_spans(
        misaligned, f"do not fall on {boundary} boundaries and decode differently", messages
    )
    _warn_spans(truncated, f"reach past max_length={max_length} tokens and are cut", messages)
    dropped = ("offset_mapping", "overflow_to_sample_mapping")
    columns = {name: encoded[name] for name in encoded if name not in dropped}
    return datasets.Dataset.from_dict({**columns, "labels": labels})


def _first_char(offsets: Offsets) -> int:
    """Where a window's first real token starts in the message."""
    return min((int(start) for start, end in offsets if int(end) > int(start)), default=0)


def _token_tags(offsets: Offsets, spans: list[Span]) -> list[str | None]:
    """Per token "O", "B-X" or "I-X", or None for a token without characters."""
    tags: list[str | None] = []
    span_index = 0
    previous_owner: Span | None = None
    for raw_start, raw_end in offsets:
        start, end = int(raw_start), int(raw_end)
        if end <= start:
            tags.append(None)
            continue
        while span_index < len(spans) and spans[span_index].end <= start:
            span_index += 1
        owner = spans[span_index] if span_index < len(spans) else None
        if owner is not None and owner.start >= end:
            owner = None
        if owner is None:
            tags.append(OUTSIDE_TAG)
        else:
            tags.append(f"{'I' if owner == previous_owner else 'B'}-{owner.label}")
        previous_owner = owner
    return tags


def _label_id(tag: str, label2id: Mapping[str, int]) -> int:
    try:
        return label2id[tag]
    except KeyError:
        raise ValueError(f"label2id has no id for {tag!r}; it has {sorted(label2id)}") from None


def _tag_of(label: int | str, id2label: Mapping[int, str] | None) -> str | None:
    """The tag of one label, or None for -100."""
    if isinstance(label, str):
        return label
    label_id = int(label)
    if label_id == IGNORE_INDEX:
        return None
    if id2label is None:
        raise ValueError("decoding label ids needs id2label")
    try:
        return id2label[label_id]
    except KeyError:
        raise ValueError(f"label id {label_id} is not in id2label {dict(id2label)}") from None


def _check_label_names(messages: Sequence[LabelledMessage], label2id: Mapping[str, int]) -> None:
    needed = bio_label_names({span.label for message in messages for span in message.spans})
    missing = [name for name in needed if name not in label2id]
    if missing:
        raise ValueError(
            f"label2id lacks {missing} used by the messages; it has {sorted(label2id)}"
        )


def _warn_spans(
    by_message: dict[int, list[Span]], what: str, messages: Sequence[LabelledMessage]
) -> None:
    if not by_message:
        return
    shown = list(by_message)[:MAX_REPORTED_MESSAGES]
    more = ", ..." if len(by_message) > len(shown) else ""
    logger.warning(
        "%d of %d spans in %d of %d messages %s (messages %s%s)",
        sum(map(len, by_message.values())),
        sum(len(message.spans) for message in messages),
        len(by_message),
        len(messages),
        what,
        ", ".join(map(str, shown)),
        more,
    )


def _spans_text(spans: Iterable[Span]) -> str:
    return ", ".join(f"{span.start}:{span.end} ({span.label})" for span in spans)
