"""Scores for keyword tagging: strict spans, per-message keyword sets and character overlap.

A keyword tagger marks character spans ``(start, end, label)`` (``end`` exclusive) in each
message. Three views of its quality, each as precision / recall / F1:

* **strict spans** - micro-averaged exact matches of ``(start, end, label)`` over the corpus, the
  number seqeval reports for BIO tags (`electra_rtd.text.spans.bio_to_spans` decodes tags the way seqeval's
  default mode does, see there);
* **keyword sets** - per message, the set of keyword strings (whitespace collapsed, casefolded,
  labels ignored), scored per message and averaged (macro) and also pooled (micro). It does not
  punish a tagger for picking a different occurrence of the same word, or for a span boundary that
  differs only by whitespace;
* **character overlap** - characters covered by a predicted span and a gold span with the same
  label, over predicted (precision) or gold (recall) characters, pooled over the corpus. It gives
  credit for near-miss boundaries, common with subword tokens.

Empty cases follow one rule everywhere: with nothing predicted and nothing gold the score is 1.0
(there was nothing to find and nothing was falsely found); any other zero denominator gives 0.0.
So predicting nothing scores 0 on every message that has keywords, and an over-eager tagger gets
no recall credit on messages that have none. Seqeval agrees except for a whole corpus without a
single gold or predicted span, where it reports 0.0 (with a warning) and these scores 1.0.
Spans are compared as sets: a span predicted twice counts once.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from electra_rtd.text.spans import Span, normalise_keyword


class PRF(NamedTuple):
    """Precision, recall and F1 of one view of the scores."""

    precision: float
    recall: float
    f1: float


class KeywordSetScores(NamedTuple):
    """Keyword-set scores averaged over messages (macro) and pooled over them (micro)."""

    macro: PRF
    micro: PRF


SpanLike = Span | Sequence[object] | Mapping[str, object]
MessageSpans = Iterable[SpanLike]


def prf_from_counts(n_correct: int, n_predicted: int, n_gold: int) -> PRF:
    """P/R/F1 from counts, with the empty-case rule of this module (see the module docstring)."""
    if n_predicted == 0 and n_gold == 0:
        return PRF(1.0, 1.0, 1.0)
    precision = n_correct / n_predicted if n_predicted else 0.0
    recall = n_correct / n_gold if n_gold else 0.0
    total = precision + recall
    return PRF(precision, recall, 2 * precision * recall / total if total else 0.0)


def strict_span_scores(
    predictions: Sequence[MessageSpans],
    references: Sequence[MessageSpans],
    texts: Sequence[str] | None = None,
) -> PRF:
    """Micro P/R/F1 of exact ``(start, end, label)`` matches; ``texts`` only bound-check spans."""
    return _strict_spans(*_validated_corpus(predictions, references, texts))


def keyword_set_scores(
    predictions: Sequence[MessageSpans],
    references: Sequence[MessageSpans],
    texts: Sequence[str],
    normalise: Callable[[str], str] | None = None,
) -> KeywordSetScores:
    """P/R/F1 of each message's set of normalised keyword strings, macro and micro averaged.

    ``normalise`` turns a span's surface into the string compared (default `normalise_keyword`;
    `electra_rtd.text.keyword_norm.plain_keyword` compares plain forms).
    """
    predicted, gold = _validated_corpus(predictions, references, texts)
    return _keyword_sets(predicted, gold, texts, normalise or normalise_keyword)


def char_overlap_scores(
    predictions: Sequence[MessageSpans],
    references: Sequence[MessageSpans],
    texts: Sequence[str] | None = None,
) -> PRF:
    """Micro P/R/F1 over characters covered by same-label spans; ``texts`` only bound-check."""
    return _char_overlap(*_validated_corpus(predictions, references, texts))


def score_keywords(
    predictions: Sequence[MessageSpans],
    references: Sequence[MessageSpans],
    texts: Sequence[str],
    normalise: Callable[[str], str] | None = None,
) -> dict[str, float]:
    """All keyword scores as one flat dict, the shape logged during training and evaluation;
    ``normalise`` as in `keyword_set_scores`."""
    predicted, gold = _validated_corpus(predictions, references, texts)
    strict = _strict_spans(predicted, gold)
    keyword_sets = _keyword_sets(predicted, gold, texts, normalise or normalise_keyword)
    overlap = _char_overlap(predicted, gold)
    return {
        **_prefixed("span", strict),
        **_prefixed("kwset", keyword_sets.macro),
        **_prefixed("kwset_micro", keyword_sets.micro),
        **_prefixed("partial", overlap),
        "n_messages": len(predicted),
    }


def _prefixed(prefix: str, scores: PRF) -> dict[str, float]:
    return {f"{prefix}_{name}": value for name, value in scores._asdict().items()}


def _strict_spans(predicted: list[set[Span]], gold: list[set[Span]]) -> PRF:
    n_correct = sum(len(p & g) for p, g in zip(predicted, gold, strict=True))
    return prf_from_counts(n_correct, sum(map(len, predicted)), sum(map(len, gold)))


def _keyword_sets(
    predicted: list[set[Span]],
    gold: list[set[Span]],
    texts: Sequence[str],
    normalise: Callable[[str], str],
) -> KeywordSetScores:
    per_message: list[PRF] = []
    totals = [0, 0, 0]
    for predicted_spans, gold_spans, text in zip(predicted, gold, texts, strict=True):
        predicted_words = {normalise(text[s.start : s.end]) for s in predicted_spans}
        gold_words = {normalise(text[s.start : s.end]) for s in gold_spans}
        counts = (len(predicted_words & gold_words), len(predicted_words), len(gold_words))
        per_message.append(prf_from_counts(*counts))
        totals = [total + count for total, count in zip(totals, counts, strict=True)]
    macro = PRF(*(sum(column) / len(per_message) for column in zip(*per_message, strict=True)))
    return KeywordSetScores(macro=macro, micro=prf_from_counts(*totals))


def _char_overlap(predicted: list[set[Span]], gold: list[set[Span]]) -> PRF:
    n_overlap = n_predicted = n_gold = 0
    for predicted_spans, gold_spans in zip(predicted, gold, strict=True):
        predicted_chars = _labelled_chars(predicted_spans)
        gold_chars = _labelled_chars(gold_spans)
        n_overlap += len(predicted_chars & gold_chars)
        n_predicted += len(predicted_chars)
        n_gold += len(gold_chars)
    return prf_from_counts(n_overlap, n_predicted, n_gold)


def _labelled_chars(spans: Iterable[Span]) -> set[tuple[int, str]]:
    """Characters covered by the spans, as ``(position, label)``; overlapping spans count once."""
    return {(position, span.label) for span in spans for position in range(span.start, span.end)}


def _validated_corpus(
    predictions: Sequence[MessageSpans],
    references: Sequence[MessageSpans],
    texts: Sequence[str] | None,
) -> tuple[list[set[Span]], list[set[Span]]]:
    """Both sides as per-message span sets, after checking lengths, types and bounds."""
    if len(predictions) != len(references):
        raise ValueError(
            f"predictions cover {len(predictions)} messages but references {len(references)}"
        )
    if texts is not None and len(texts) != len(references):
        raise ValueError(f"texts hold {len(texts)} messages but references {len(references)}")
    if not references:
        raise ValueError("no messages to score")
    lengths: Sequence[int | None] = (
        [None] * len(references) if texts is None else [len(text) for text in texts]
    )
    predicted = [
        _message_spans(spans, i, "prediction", length)
        for i, (spans, length) in enumerate(zip(predictions, lengths, strict=True))
    ]
    gold = [
        _message_spans(spans, i, "reference", length)
        for i, (spans, length) in enumerate(zip(references, lengths, strict=True))
    ]
    return predicted, gold


def _message_spans(
    spans: MessageSpans, message: int, side: str, text_length: int | None
) -> set[Span]:
    result = set()
    for number, raw in enumerate(spans):
        where = f"message {message}, {side} span {number} ({raw!r})"
        span = _as_span(raw, where)
        if span.start < 0 or span.start >= span.end:
            raise ValueError(f"{where}: needs 0 <= start < end")
        if text_length is not None and span.end > text_length:
            raise ValueError(f"{where}: ends past the text, which has {text_length} characters")
        result.add(span)
    return result


def _as_span(raw: SpanLike, where: str) -> Span:
    """A span from a ``{"start", "end", "label"}`` mapping or a ``(start, end, label)`` tuple."""
    if isinstance(raw, Mapping):
        missing = {"start", "end", "label"} - raw.keys()
        if missing:
            raise ValueError(f"{where}: missing keys {sorted(missing)}")
        start, end, label = raw["start"], raw["end"], raw["label"]
    elif isinstance(raw, Sequence) and not isinstance(raw, str) and len(raw) == 3:
        start, end, label = raw
    else:
        raise ValueError(f"{where}: expected a (start, end, label) tuple or a mapping")
    if isinstance(start, bool) or isinstance(end, bool):
        raise ValueError(f"{where}: start and end must be integers")
    try:
        start, end = operator.index(start), operator.index(end)
    except TypeError:
        raise ValueError(f"{where}: start and end must be integers") from None
    if not isinstance(label, str) or not label:
        raise ValueError(f"{where}: label must be a non-empty string")
    return Span(start, end, label)
