"""Score a keyword tagger on labelled messages with the project's keyword metrics."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from electra_rtd.data.labelled import LabelledMessage
from electra_rtd.metrics.keyword_scores import score_keywords
from electra_rtd.tagging import KeywordTagger
from electra_rtd.text.spans import Span


def score_tagger(
    tagger: KeywordTagger,
    messages: Sequence[LabelledMessage],
    normalise: Callable[[str], str] | None = None,
) -> dict[str, float]:
    """Span, keyword-set and partial-match precision/recall/F1 of ``tagger`` on ``messages``;
    keyword sets compared after ``normalise`` (see `score_keywords`)."""
    texts = [message.text for message in messages]
    predictions = [
        [Span(k.start, k.end, k.label) for k in keywords] for keywords in tagger.extract(texts)
    ]
    return score_keywords(predictions, [list(m.spans) for m in messages], texts, normalise)
