"""Turn one message's per-token predictions into keywords: character spans with a confidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from electra_rtd.text.spans import Span, bio_to_spans, trim_span


class Keyword(NamedTuple):
    """A keyword found in a message: characters ``[start, end)``, their text, score and label.

    ``score`` is the mean probability the model gave its predicted tag (B- or I-) over the span's
    tokens: the same number `transformers`' token-classification pipeline reports with
    ``aggregation_strategy="simple"``, so the two can be compared directly; calibrated when the
    model folder has a calibration (`calibration`). ``norm`` is the plain form
    (`electra_rtd.text.keyword_norm`): ``코ll인``, ``코 인`` and ``코인이`` are all ``코인``.
    """

    start: int
    end: int
    text: str
    score: float
    label: str
    norm: str = ""

    @property
    def span(self) -> Span:
        """The keyword as a metrics `Span`, ready for `electra_rtd.metrics.score_keywords`."""
        return Span(self.start, self.end, self.label)


def keywords_from_tokens(
    text: str,
    offsets: Sequence[tuple[int, int]],
    label_ids: Sequence[int],
    probabilities: Sequence[float],
    tags: Sequence[str],
) -> list[Keyword]:
    """Keywords of one message from its real tokens (no special or padding tokens).

    ``label_ids[i]`` is token i's predicted label id (a name in ``tags``) and ``probabilities[i]``
    its probability; plain lists, which this per-message loop reads several times faster than
    numpy arrays. Tags are decoded by `bio_to_spans`, seqeval's rules, as training is scored; a
    token span maps to characters exactly as `spans_from_bio` does, but the token range is kept to
    average the probabilities. Whitespace at a span's ends is trimmed: tokenizers that fold a
    leading space into a token (SentencePiece, byte-level BPE) would otherwise report it.
    """
    if len(offsets) != len(label_ids) or len(label_ids) != len(probabilities):
        raise ValueError(
            f"{len(offsets)} token offsets, {len(label_ids)} labels and "
            f"{len(probabilities)} probabilities: they must match"
        )
    keywords = []
    for token_span in bio_to_spans([tags[label_id] for label_id in label_ids]):
        start, end = offsets[token_span.start][0], offsets[token_span.end - 1][1]
        span = trim_span(Span(start, end, token_span.label), text)
        if span is not None:
            span_probabilities = probabilities[token_span.start : token_span.end]
            score = sum(span_probabilities) / len(span_probabilities)
            keywords.append(
                Keyword(span.start, span.end, text[span.start : span.end], score, span.label)
            )
    return keywords
